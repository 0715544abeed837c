// A WebSocket's messages as they come (the detail's Messages tab), and a text/event-stream body's events (its Events
// tab). New messages are fetched from the last one shown on each "messages" event of the live stream
// (GET /api/flows/{n}/messages?from=K, docs/web-api.md): never the whole list again.
import {h} from 'preact';
import {useEffect, useState} from 'preact/hooks';
import {getJson} from './api.js';
import {hexDump} from './body.js';
import {clock, size} from './format.js';

const KEEP = 5000; // messages the tab holds at most; the oldest go first

function bytesOf(base64) {
  const text = atob(base64 || '');
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function preview(m) {
  if (m.type === 'close') return m.closeCode == null ? '(no status code)' : m.closeCode + (m.closeReason ? ' ' + m.closeReason : '');
  if (m.text != null) return m.text.length > 300 ? m.text.slice(0, 300) + '…' : m.text;
  const bytes = bytesOf(m.base64);
  return Array.from(bytes.slice(0, 24), b => b.toString(16).padStart(2, '0')).join(' ') + (bytes.length > 24 ? ' …' : '');
}

function Message({m, open, onToggle}) {
  const notes = [];
  if (m.compressed) notes.push('deflated: ' + size(m.wireSize) + ' on the wire');
  if (m.truncated) notes.push('cut at the capture cap');
  return [
    h('tr', {class: 'ws-msg ws-' + m.direction + ' ws-' + m.type + (open ? ' on' : ''), 'data-index': m.index, onClick: onToggle},
      h('td', {class: 'num'}, m.index),
      h('td', null, clock(m.time)),
      h('td', {class: 'dir', title: m.direction === 'send' ? 'client to server' : 'server to client'}, m.direction === 'send' ? '→' : '←'),
      h('td', null, m.type),
      h('td', {class: 'size'}, size(m.size)),
      h('td', {class: 'preview'}, preview(m), notes.length ? h('span', {class: 'note'}, '  (' + notes.join('; ') + ')') : null)),
    open ? h('tr', {class: 'ws-full'}, h('td', {colspan: 6},
      m.text != null ? h('pre', {class: 'text'}, m.text) : h('pre', {class: 'hex'}, hexDump(bytesOf(m.base64))))) : null,
  ];
}

/** props: flow (the API's detail, with webSocket), progress (changes when the live stream says the socket grew) */
export function MessagesTab({flow, progress}) {
  const id = flow.summary.id;
  const [log, setLog] = useState({messages: flow.webSocket.messages.slice(-KEEP), total: flow.webSocket.total,
    dropped: flow.webSocket.dropped});
  const [open, setOpen] = useState(null);
  const [way, setWay] = useState('all');
  useEffect(() => {
    if (progress === 0) return;
    let current = true;
    const shown = log.messages;
    const from = shown.length ? shown[shown.length - 1].index + 1 : 0;
    getJson('/api/flows/' + id + '/messages?from=' + from).then(r => {
      if (!current || r.failed) return;
      setLog(l => {
        const last = l.messages.length ? l.messages[l.messages.length - 1].index : -1;
        return {messages: l.messages.concat(r.messages.filter(m => m.index > last)).slice(-KEEP), total: r.total, dropped: r.dropped};
      });
    });
    return () => { current = false; };
  }, [progress]);
  const shown = log.messages.filter(m => way === 'all' || m.direction === way);
  return h('div', {class: 'ws-messages'},
    h('div', {class: 'body-bar'},
      h('span', {class: 'kind'}, log.total + ' messages' + (log.dropped ? ' · the oldest ' + log.dropped + ' let go' : '')
        + (flow.summary.state === 'in_flight' ? ' · open' : '')),
      h('span', {class: 'switch'}, [['all', 'Both'], ['send', '→ Sent'], ['receive', '← Received']].map(([k, label]) =>
        h('button', {class: way === k ? 'on' : '', onClick: () => setWay(k)}, label)))),
    shown.length === 0 ? h('p', {class: 'note'}, 'No messages yet.') :
      h('table', {class: 'fields ws-table'}, h('tbody', null,
        shown.map(m => h(Message, {key: m.index, m, open: open === m.index, onToggle: () => setOpen(o => o === m.index ? null : m.index)})))));
}

/** props: response (the API's, with events): a text/event-stream body as its events. */
export function EventsTab({response}) {
  return h('div', {class: 'ws-messages'},
    h('div', {class: 'body-bar'}, h('span', {class: 'kind'}, response.events.length + ' events'
      + (response.growing ? ' · still streaming' : ''))),
    response.events.length === 0 ? h('p', {class: 'note'}, 'No events yet.') :
      h('table', {class: 'fields ws-table'}, h('tbody', null, response.events.map((e, i) =>
        h('tr', {class: 'sse-event', key: i}, h('td', {class: 'num'}, i + 1), h('td', null, e.type),
          h('td', null, e.id), h('td', {class: 'preview'}, h('pre', {class: 'text'}, e.data)))))),
    response.pendingEvent && response.pendingEvent.trim() ? h('p', {class: 'note'}, 'Still arriving: ' + response.pendingEvent) : null);
}
