// The filter bar: wiretap's filter language, applied as you type; a fault is shown with a caret under it. The second
// field highlights the flows it selects instead of hiding the others.
import {h} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';

const DEBOUNCE_MS = 150;

function Field({name, label, placeholder, value, error, onInput}) {
  return h('label', {class: 'filter ' + name + (error ? ' invalid' : '')},
    h('span', {class: 'label'}, label),
    h('span', {class: 'input-wrap'},
      h('input', {type: 'text', name, value, placeholder, spellcheck: false, autocomplete: 'off',
        onInput: e => onInput(e.target.value)}),
      error ? h('div', {class: 'filter-error', role: 'alert'},
        h('pre', {class: 'caret-line'}, error.expression + '\n' + error.caret),
        h('span', {class: 'message'}, error.error)) : null));
}

/** props: view {filter, highlight} in force, errors {filter?, highlight?}, onChange({filter, highlight}) */
export function FilterBar({view, errors, onChange}) {
  const [filter, setFilter] = useState(view.filter);
  const [highlight, setHighlight] = useState(view.highlight);
  const timer = useRef(null);
  useEffect(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onChange({filter, highlight}), DEBOUNCE_MS);
    return () => clearTimeout(timer.current);
  }, [filter, highlight]);
  return h('div', {class: 'filter-bar'},
    h(Field, {name: 'filter', label: 'Filter', placeholder: 'host:example.com !status:2xx', value: filter,
      error: errors.filter, onInput: setFilter}),
    h(Field, {name: 'highlight', label: 'Highlight', placeholder: 'method:POST', value: highlight,
      error: errors.highlight, onInput: setHighlight}));
}
