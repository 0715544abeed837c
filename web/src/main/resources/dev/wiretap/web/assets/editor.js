// A message as HTTP text in an editor, as the console's edit opens it in $EDITOR: the start line, the fields one per
// line, an empty line, the body. wiretap checks the text whole before anything changes; a mistake comes back with its
// line, which is marked and selected, and the editor stays open.
import {h} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';

const GUTTER_MAX_LINES = 20000; // past this a body is numbered no further (the text is still all there)

/** Selects line {@code n} (from 1) of a textarea and scrolls it into view. */
function selectLine(area, n) {
  const lines = area.value.split('\n');
  let start = 0;
  for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
  const end = start + (lines[n - 1] || '').length;
  area.focus();
  area.setSelectionRange(start, end);
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 17;
  area.scrollTop = Math.max(0, (n - 1) * lineHeight - area.clientHeight / 3);
}

/**
 * A modal editor. props: title, text (to start from), notes (lines to show above it), actions ([{label, primary,
 * run(text) => Promise of the API's answer}]), onClose(answer, action), or onClose(null) when given up. An action whose
 * answer failed shows the error (with its line, when the API names one) and keeps the editor open; any other answer
 * closes it.
 */
export function MessageEditor({title, text, notes, actions, onClose}) {
  const [value, setValue] = useState(text);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const area = useRef(null);
  const gutter = useRef(null);

  useEffect(() => {
    area.current.focus();
    area.current.setSelectionRange(0, 0);
  }, []);

  const run = async action => {
    if (busy) return;
    setBusy(true);
    const answer = await action.run(value);
    setBusy(false);
    if (answer && answer.failed) {
      setError(answer);
      if (answer.line > 0) selectLine(area.current, answer.line);
      return;
    }
    onClose(answer, action);
  };

  const onKeyDown = e => {
    if (e.key === 'Escape' && !busy) {
      e.stopPropagation();
      onClose(null);
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      const primary = actions.find(a => a.primary) || actions[0];
      run(primary);
    }
  };

  const count = Math.min(value.split('\n').length, GUTTER_MAX_LINES);
  const badLine = error && error.line > 0 ? error.line : 0;
  const numbers = [];
  for (let i = 1; i <= count; i++) numbers.push(h('div', {class: i === badLine ? 'bad' : null}, String(i)));

  return h('div', {class: 'modal-backdrop', onKeyDown},
    h('div', {class: 'modal editor', role: 'dialog', 'aria-label': title},
      h('div', {class: 'modal-head'}, h('span', {class: 'title'}, title),
        h('button', {class: 'close', title: 'Close (Esc)', onClick: () => onClose(null)}, '×')),
      (notes || []).filter(Boolean).map(n => h('p', {class: 'note'}, n)),
      error ? h('div', {class: 'error-box edit-error', role: 'alert'}, error.error) : null,
      h('div', {class: 'edit-area'},
        h('div', {class: 'gutter', ref: gutter, 'aria-hidden': 'true'}, numbers),
        h('textarea', {ref: area, class: 'message-text', value, spellcheck: false, wrap: 'off', autocomplete: 'off',
          onInput: e => { setValue(e.target.value); },
          onScroll: e => { gutter.current.scrollTop = e.target.scrollTop; }})),
      h('div', {class: 'modal-foot'},
        h('span', {class: 'hint'}, 'Ctrl+Enter: ' + (actions.find(a => a.primary) || actions[0]).label),
        actions.map(a => h('button', {class: (a.primary ? 'primary ' : '') + (a.danger ? 'danger ' : '') + 'act-' + a.key,
          disabled: busy, onClick: () => run(a)}, a.label)),
        h('button', {class: 'cancel', disabled: busy, onClick: () => onClose(null)}, 'Cancel'))));
}
