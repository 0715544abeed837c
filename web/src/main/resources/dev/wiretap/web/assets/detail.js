// One flow whole: request and response as they flowed, timings as a bar, the connection, rules, notes and errors; and
// what to do with it: resume, edit or drop it while it waits at the intercept; replay it, make a mock of it, copy it as
// curl, save a body as a file.
import {h} from 'preact';
import {useState} from 'preact/hooks';
import {BodyView} from './body.js';
import {EventsTab, MessagesTab} from './messages.js';
import {millis, statusClass} from './format.js';
import {countdown, timeLeft, useNow} from './intercept.js';

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

function Message({message, what, onSave}) {
  if (!message) return h('p', {class: 'note'}, 'No ' + what + ' yet.');
  return h('div', {class: 'message'}, h(Headers, {message}), h(BodyView, {body: message.body, onSave}),
    message.trailers ? h('table', {class: 'fields trailers'}, h('tbody', null, message.trailers.map(([n, v], i) =>
      h('tr', {key: i}, h('th', null, n), h('td', null, v))))) : null,
    message.grpcStatus ? h('p', {class: 'grpc-status'}, message.grpcStatus) : null);
}

/**
 * The phases drawn. The API's connect is HAR's: the TCP connect and the TLS handshake together; the bar shows the two
 * apart (TCP, then TLS).
 */
const PHASES = [['dns', 'DNS'], ['tcp', 'TCP connect'], ['tls', 'TLS handshake'], ['send', 'Send'], ['wait', 'Wait'],
  ['receive', 'Receive']];

function phases(timings) {
  const tcp = timings.connect == null ? null : Math.max(0, timings.connect - (timings.tls || 0));
  return {...timings, tcp};
}

/**
 * The phases as a bar over the flow's whole time. What no phase accounts for (reading the request, rules, a delay, a
 * pause at the intercept: HAR's "blocked") comes first, so a paused flow's bar shows where its time went.
 */
export function TimingBar({timings}) {
  const t = phases(timings);
  const measured = PHASES.reduce((sum, [k]) => sum + (t[k] || 0), 0);
  const total = Math.max(t.total || 0, measured) || 1;
  const other = Math.max(0, total - measured);
  const shown = [['other', 'Other (blocked, rules, paused)', other], ...PHASES.map(([k, label]) => [k, label, t[k]])];
  let offset = 0;
  return h('div', {class: 'timing'},
    h('div', {class: 'bar'}, shown.filter(([, , ms]) => ms != null && ms > 0).map(([k, label, ms]) => {
      const left = offset / total * 100;
      offset += ms;
      return h('span', {class: 'phase ph-' + k, title: label + ' ' + millis(ms),
        style: {left: left + '%', width: Math.max(ms / total * 100, 0.3) + '%'}});
    })),
    h('table', {class: 'fields phases'}, h('tbody', null,
      shown.map(([k, label, ms]) => h('tr', {'data-phase': k}, h('th', null, h('span', {class: 'swatch ph-' + k}), label),
        h('td', null, ms == null ? '—' : millis(ms)))),
      h('tr', {class: 'total'}, h('th', null, 'Total'), h('td', null, millis(timings.total))))),
    timings.connect != null ? h('p', {class: 'note'}, 'Connect (as HAR counts it, the TLS handshake included): '
      + millis(timings.connect) + '.') : null);
}

function tls(side) {
  return side ? side.version + ' · ' + side.cipher + (side.sni ? ' · SNI ' + side.sni : ' · no SNI') : 'none (plain)';
}

function Info({flow}) {
  const rows = [
    ['Client', flow.client],
    ['TLS with the client', tls(flow.clientTls)],
    ['Server', flow.server || '—'],
    ['Upstream connection', flow.upstream || '—'],
    ['TLS with the server', flow.server ? tls(flow.upstreamTls) : '—'],
    ['Rules applied', flow.rules.length ? flow.rules.join(', ') : 'none'],
    ['Replay of', flow.summary.replayOf ? '#' + flow.summary.replayOf : '—'],
  ];
  return h('div', null,
    flow.error ? h('div', {class: 'error-box'}, h('strong', null, 'Failed (' + flow.error.kind + '): '), flow.error.message) : null,
    h('table', {class: 'fields connection'}, h('tbody', null, rows.map(([k, v]) => h('tr', {'data-row': k}, h('th', null, k), h('td', null, v))))),
    flow.notes.length ? h('div', null, h('h4', null, 'Notes'), h('ul', {class: 'notes'}, flow.notes.map(n => h('li', null, n)))) : null);
}

const TABS = [['response', 'Response'], ['request', 'Request'], ['timing', 'Timing'], ['info', 'Connection']];

/**
 * What can be done with the flow now: while it waits, resume, edit or drop it; once it has ended, replay or mock it;
 * copy its request as curl whenever wiretap read it as far as its URL.
 */
function Actions({flow, paused, onAction}) {
  const s = flow.summary;
  const now = useNow(1000);
  const act = (kind, label, extra) => h('button', {class: 'act act-' + kind + (extra ? ' ' + extra : ''),
    onClick: () => onAction(kind, s.id)}, label);
  if (paused) {
    return h('span', {class: 'actions'},
      h('span', {class: 'waiting', title: 'goes on by itself when this runs out'},
        'paused at the ' + paused.side + ', ' + countdown(timeLeft(paused, now)) + ' left'),
      act('edit', 'Edit'), act('resume', 'Resume', 'primary'), act('drop', 'Drop', 'danger'));
  }
  const done = s.state === 'done' || s.state === 'failed';
  if (s.method === 'CONNECT') return null;
  const curl = s.scheme ? act('curl', 'Copy as curl') : null;
  if (!done) return curl ? h('span', {class: 'actions'}, curl) : null;
  return h('span', {class: 'actions'},
    act('replay', 'Replay'), act('replay-edit', 'Edit and replay'), s.status != null && s.state === 'done' ? act('mock', 'Mock') : null,
    curl);
}

/**
 * props: flow (the API's detail, or {error}), paused (its place at the intercept, or null), onAction(kind, id),
 * progress (changes when the flow grows: see MessagesTab), onClose
 */
export function FlowDetail({flow, paused, onAction, progress, onClose}) {
  const [chosen, setTab] = useState(null);
  if (!flow) return h('section', {class: 'detail'}, h('p', {class: 'note'}, 'Loading…'));
  if (flow.failed) return h('section', {class: 'detail'},
    h('div', {class: 'detail-head'}, h('span', null, flow.error), h('button', {class: 'close', onClick: onClose, title: 'Close (Esc)'}, '×')));
  const s = flow.summary;
  // Until a tab is chosen: the response, or the request while there is no response (paused at the request).
  const tab = chosen || (flow.response ? 'response' : 'request');
  return h('section', {class: 'detail' + (paused ? ' is-paused' : ''), 'data-flow': s.id},
    h('div', {class: 'detail-head'},
      h('span', {class: 'num'}, '#' + s.id),
      h('span', {class: 'method'}, s.method),
      h('span', {class: 'url', title: s.url}, s.url),
      h('span', {class: 'status ' + statusClass(s.status)}, s.status == null ? s.state.replace('_', ' ') : s.status + ' ' + (flow.response ? flow.response.reason : '')),
      h(Actions, {flow, paused, onAction}),
      h('button', {class: 'close', onClick: onClose, title: 'Close (Esc)'}, '×')),
    h('nav', {class: 'tabs'}, tabsOf(flow).map(([key, label]) =>
      h('button', {class: tab === key ? 'on' : '', 'data-tab': key, onClick: () => setTab(key)}, label))),
    h('div', {class: 'detail-body'},
      tab === 'request' ? h(Message, {message: flow.request, what: 'request', onSave: () => onAction('save-request', s.id)}) :
      tab === 'response' ? [flow.error ? h('div', {class: 'error-box'}, h('strong', null, 'Failed (' + flow.error.kind + '): '), flow.error.message) : null,
        h(Message, {message: flow.response, what: 'response', onSave: () => onAction('save-response', s.id)})] :
      tab === 'messages' && flow.webSocket ? h(MessagesTab, {flow, progress}) :
      tab === 'events' && flow.response && flow.response.events ? h(EventsTab, {response: flow.response}) :
      tab === 'timing' ? h(TimingBar, {timings: flow.timings}) : h(Info, {flow})));
}

/** The tabs, with Messages for a WebSocket and Events for a text/event-stream response. */
function tabsOf(flow) {
  const extra = [];
  if (flow.webSocket) extra.push(['messages', 'Messages']);
  if (flow.response && flow.response.events) extra.push(['events', 'Events']);
  return [...TABS.slice(0, 1), ...extra, ...TABS.slice(1)];
}
