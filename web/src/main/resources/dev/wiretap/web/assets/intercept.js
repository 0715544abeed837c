// The intercept in the browser, as the console's intercept, edit, resume and drop: what to pause (a filter, for
// requests or for requests and responses), and the flows waiting, each with the time it has left before it goes on
// by itself, counting down.
import {h} from 'preact';
import {useEffect, useState} from 'preact/hooks';
import {interceptOff, resumeAll, setIntercept} from './api.js';

/** The time now, again every {@code ms}: for countdowns. */
export function useNow(ms) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** 4:05 for 245 s. */
export function countdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
}

/** A waiting flow's time left, by the local clock: the API's remainingMs counted from when it came. */
export function timeLeft(paused, now) {
  return Math.max(0, paused.deadline - now);
}

/**
 * The API's intercept state with each waiting flow's deadline on the local clock (the two clocks may differ; the
 * time left the API gave does not depend on them).
 */
export function localIntercept(state) {
  const at = Date.now();
  return {...state, paused: state.paused.map(p => ({...p, deadline: at + p.remainingMs}))};
}

function FilterForm({state, flash}) {
  const [filter, setFilter] = useState(state.filter || '');
  const [responses, setResponses] = useState(state.responses);
  const [error, setError] = useState(null);
  // Another browser or the console may change the intercept: its new settings show here.
  useEffect(() => { setFilter(state.filter || ''); setResponses(state.responses); setError(null); }, [state.filter, state.responses]);
  const apply = async e => {
    e.preventDefault();
    const answer = await setIntercept(filter, responses);
    if (answer.failed) { setError(answer); return; }
    setError(null);
    flash('Intercepting ' + (responses ? 'requests and responses' : 'requests') + ' matching ' + answer.filter);
  };
  const off = async () => {
    const answer = await interceptOff();
    if (answer.failed) { flash(answer.error, true); return; }
    flash('Intercept off' + (answer.paused.length ? '; ' + answer.paused.length + ' still paused' : ''));
  };
  return h('form', {class: 'intercept-form', onSubmit: apply},
    h('label', {class: 'filter' + (error ? ' invalid' : '')},
      h('span', {class: 'label'}, 'Pause'),
      h('span', {class: 'input-wrap'},
        h('input', {type: 'text', name: 'intercept', value: filter, spellcheck: false, autocomplete: 'off',
          placeholder: 'method:POST host:api.example.com', onInput: e => setFilter(e.target.value)}),
        error ? h('div', {class: 'filter-error', role: 'alert'},
          error.caret ? h('pre', {class: 'caret-line'}, error.expression + '\n' + error.caret) : null,
          h('span', {class: 'message'}, error.error)) : null)),
    h('div', {class: 'sides'},
      h('label', null, h('input', {type: 'radio', name: 'sides', value: 'requests', checked: !responses,
        onChange: () => setResponses(false)}), ' requests'),
      h('label', null, h('input', {type: 'radio', name: 'sides', value: 'both', checked: responses,
        onChange: () => setResponses(true)}), ' requests and responses'),
      h('span', {class: 'grow'}),
      h('button', {type: 'submit', class: 'primary apply'}, state.filter ? 'Change' : 'Intercept'),
      state.filter ? h('button', {type: 'button', class: 'off', onClick: off}, 'Off') : null),
    h('p', {class: 'note'}, state.filter
      ? 'Pausing ' + (state.responses ? 'requests and responses' : 'requests') + ' matching ' + state.filter + '. '
      : 'Nothing is paused now. ',
      'A paused flow goes on by itself after ' + countdown(state.timeoutMs) + '.'));
}

function PausedRow({p, now, onEdit, onOpen, onResume, onDrop}) {
  const left = timeLeft(p, now);
  const r = p.row;
  return h('li', {class: 'paused-flow' + (left < 30000 ? ' soon' : ''), 'data-id': p.id},
    h('div', {class: 'what', onClick: () => onOpen(p.id), title: r.url},
      h('span', {class: 'num'}, '#' + p.id), ' ', h('span', {class: 'method'}, r.method), ' ',
      h('span', {class: 'url'}, r.url)),
    h('div', {class: 'how'},
      h('span', {class: 'side'}, 'at the ' + p.side + (p.edited ? ', edited' : '')),
      h('span', {class: 'left', title: 'goes on by itself when this runs out'}, countdown(left) + ' left'),
      h('span', {class: 'grow'}),
      h('button', {class: 'edit', onClick: () => onEdit(p.id)}, 'Edit'),
      h('button', {class: 'resume primary', onClick: () => onResume(p.id)}, 'Resume'),
      h('button', {class: 'drop danger', onClick: () => onDrop(p.id)}, 'Drop')));
}

/** props: state (localIntercept), onEdit(id), onOpen(id), onResume(id), onDrop(id), flash(text, bad), onClose */
export function InterceptPanel(props) {
  const {state} = props;
  const now = useNow(1000);
  if (!state) return h('aside', {class: 'drawer intercept-panel'}, h('p', {class: 'note'}, 'Loading…'));
  const all = async () => {
    const answer = await resumeAll();
    props.flash(answer.failed ? answer.error : 'Resumed ' + answer.resumed + (answer.resumed === 1 ? ' flow' : ' flows'), answer.failed);
  };
  return h('aside', {class: 'drawer intercept-panel'},
    h('div', {class: 'drawer-head'}, h('span', {class: 'title'}, 'Intercept'),
      h('button', {class: 'close', title: 'Close', onClick: props.onClose}, '×')),
    h(FilterForm, {state, flash: props.flash}),
    h('div', {class: 'paused-head'},
      h('span', null, state.paused.length ? state.paused.length + ' paused' : 'No flow is paused'),
      state.paused.length > 1 ? h('button', {class: 'resume-all', onClick: all}, 'Resume all') : null),
    h('ul', {class: 'paused-list'}, state.paused.map(p => h(PausedRow, {key: p.id, p, now, onEdit: props.onEdit,
      onOpen: props.onOpen, onResume: props.onResume, onDrop: props.onDrop}))));
}
