// One flow whole: request and response as they flowed, timings as a bar, the connection, rules, notes and errors.
import {h} from 'preact';
import {useState} from 'preact/hooks';
import {BodyView} from './body.js';
import {millis, statusClass} from './format.js';

function Headers({message}) {
  const [raw, setRaw] = useState(false);
  const text = message.startLine + '\n' + message.headers.map(([n, v]) => n + ': ' + v).join('\n');
  return h('div', {class: 'headers'},
    h('div', {class: 'body-bar'},
      h('span', {class: 'start-line'}, message.startLine),
      h('span', {class: 'switch'},
        h('button', {class: raw ? '' : 'on', onClick: () => setRaw(false)}, 'Fields'),
        h('button', {class: raw ? 'on' : '', onClick: () => setRaw(true)}, 'Raw'))),
    raw ? h('pre', {class: 'text raw'}, text)
        : h('table', {class: 'fields'}, h('tbody', null, message.headers.map(([n, v], i) =>
            h('tr', {key: i}, h('th', null, n), h('td', null, v))))));
}

function Message({message, what}) {
  if (!message) return h('p', {class: 'note'}, 'No ' + what + ' yet.');
  return h('div', {class: 'message'}, h(Headers, {message}), h(BodyView, {body: message.body}),
    message.trailers ? h('table', {class: 'fields trailers'}, h('tbody', null, message.trailers.map(([n, v], i) =>
      h('tr', {key: i}, h('th', null, n), h('td', null, v))))) : null,
    message.grpcStatus ? h('p', {class: 'grpc-status'}, message.grpcStatus) : null);
}

const PHASES = [['dns', 'DNS'], ['connect', 'Connect'], ['tls', 'TLS'], ['send', 'Send'], ['wait', 'Wait'], ['receive', 'Receive']];

/**
 * The phases as a bar over the flow's whole time. What no phase accounts for (reading the request, rules, a delay, a
 * pause at the intercept: HAR's "blocked") comes first, so a paused flow's bar shows where its time went.
 */
export function TimingBar({timings}) {
  const measured = PHASES.reduce((sum, [k]) => sum + (timings[k] || 0), 0);
  const total = Math.max(timings.total || 0, measured) || 1;
  const other = Math.max(0, total - measured);
  const shown = [['other', 'Other (blocked, rules, paused)', other], ...PHASES.map(([k, label]) => [k, label, timings[k]])];
  let offset = 0;
  return h('div', {class: 'timing'},
    h('div', {class: 'bar'}, shown.filter(([, , ms]) => ms != null && ms > 0).map(([k, label, ms]) => {
      const left = offset / total * 100;
      offset += ms;
      return h('span', {class: 'phase ph-' + k, title: label + ' ' + millis(ms),
        style: {left: left + '%', width: Math.max(ms / total * 100, 0.3) + '%'}});
    })),
    h('table', {class: 'fields phases'}, h('tbody', null,
      shown.map(([k, label, ms]) => h('tr', null, h('th', null, h('span', {class: 'swatch ph-' + k}), label),
        h('td', null, ms == null ? '—' : millis(ms)))),
      h('tr', {class: 'total'}, h('th', null, 'Total'), h('td', null, millis(timings.total))))));
}

function Info({flow}) {
  const rows = [
    ['Client', flow.client],
    ['Server', flow.server || '—'],
    ['Upstream connection', flow.upstream || '—'],
    ['Rules applied', flow.rules.length ? flow.rules.join(', ') : 'none'],
    ['Replay of', flow.summary.replayOf ? '#' + flow.summary.replayOf : '—'],
  ];
  return h('div', null,
    flow.error ? h('div', {class: 'error-box'}, h('strong', null, 'Failed (' + flow.error.kind + '): '), flow.error.message) : null,
    h('table', {class: 'fields'}, h('tbody', null, rows.map(([k, v]) => h('tr', null, h('th', null, k), h('td', null, v))))),
    flow.notes.length ? h('div', null, h('h4', null, 'Notes'), h('ul', {class: 'notes'}, flow.notes.map(n => h('li', null, n)))) : null);
}

const TABS = [['response', 'Response'], ['request', 'Request'], ['timing', 'Timing'], ['info', 'Connection']];

/** props: flow (the API's detail, or {error}), onClose */
export function FlowDetail({flow, onClose}) {
  const [tab, setTab] = useState('response');
  if (!flow) return h('section', {class: 'detail'}, h('p', {class: 'note'}, 'Loading…'));
  if (flow.failed) return h('section', {class: 'detail'},
    h('div', {class: 'detail-head'}, h('span', null, flow.error), h('button', {class: 'close', onClick: onClose, title: 'Close (Esc)'}, '×')));
  const s = flow.summary;
  return h('section', {class: 'detail', 'data-flow': s.id},
    h('div', {class: 'detail-head'},
      h('span', {class: 'num'}, '#' + s.id),
      h('span', {class: 'method'}, s.method),
      h('span', {class: 'url', title: s.url}, s.url),
      h('span', {class: 'status ' + statusClass(s.status)}, s.status == null ? s.state.replace('_', ' ') : s.status + ' ' + (flow.response ? flow.response.reason : '')),
      h('button', {class: 'close', onClick: onClose, title: 'Close (Esc)'}, '×')),
    h('nav', {class: 'tabs'}, TABS.map(([key, label]) =>
      h('button', {class: tab === key ? 'on' : '', 'data-tab': key, onClick: () => setTab(key)}, label))),
    h('div', {class: 'detail-body'},
      tab === 'request' ? h(Message, {message: flow.request, what: 'request'}) :
      tab === 'response' ? [flow.error ? h('div', {class: 'error-box'}, h('strong', null, 'Failed (' + flow.error.kind + '): '), flow.error.message) : null,
        h(Message, {message: flow.response, what: 'response'})] :
      tab === 'timing' ? h(TimingBar, {timings: flow.timings}) : h(Info, {flow})));
}
