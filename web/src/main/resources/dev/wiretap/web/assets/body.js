// A message body shown by its kind (docs/web-api.md, body.kind): JSON pretty-printed and foldable, images as
// images, text as text, anything else as hex; with the raw form beside it.
import {h} from 'preact';
import {useState} from 'preact/hooks';
import {size} from './format.js';

const HEX_LIMIT = 64 * 1024;

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Offset, sixteen bytes in hex, and the same as ASCII; the first 64 KiB. */
export function hexDump(bytes) {
  const lines = [];
  const n = Math.min(bytes.length, HEX_LIMIT);
  for (let off = 0; off < n; off += 16) {
    let hex = '', ascii = '';
    for (let i = off; i < off + 16; i++) {
      if (i < n) {
        hex += bytes[i].toString(16).padStart(2, '0') + (i % 8 === 7 ? '  ' : ' ');
        ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
      } else {
        hex += i % 8 === 7 ? '    ' : '   ';
      }
    }
    lines.push(off.toString(16).padStart(8, '0') + '  ' + hex + ' ' + ascii);
  }
  if (bytes.length > n) lines.push('… ' + (bytes.length - n) + ' more bytes (save the body to see them all)');
  return lines.join('\n');
}

function JsonValue({value, name, last, depth}) {
  const key = name != null ? [h('span', {class: 'jk'}, JSON.stringify(name)), ': '] : null;
  const comma = last ? '' : ',';
  if (value !== null && typeof value === 'object') {
    const array = Array.isArray(value);
    const entries = array ? value.map((v, i) => [null, v]) : Object.entries(value);
    const [open, close] = array ? ['[', ']'] : ['{', '}'];
    if (entries.length === 0) return h('div', {class: 'jl'}, key, open + close + comma);
    return h('details', {class: 'jn', open: depth < 3},
      h('summary', {class: 'jl'}, key, open, h('span', {class: 'jfold'}, ' … ' + entries.length + (array ? ' items ' : ' keys ') + close + comma)),
      h('div', {class: 'jc'}, entries.map(([k, v], i) => h(JsonValue, {key: i, name: k, value: v, last: i === entries.length - 1, depth: depth + 1}))),
      h('div', {class: 'jl jclose'}, close + comma));
  }
  const kind = value === null ? 'jz' : typeof value === 'string' ? 'js' : typeof value === 'number' ? 'jnum' : 'jb';
  return h('div', {class: 'jl'}, key, h('span', {class: kind}, JSON.stringify(value)), comma);
}

export function JsonTree({text}) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return h('div', null, h('p', {class: 'note'}, 'Not valid JSON (' + e.message + '); shown as text.'), h('pre', {class: 'text'}, text));
  }
  return h('div', {class: 'json-tree'}, h(JsonValue, {value, last: true, depth: 0}));
}

function Pretty({body}) {
  switch (body.kind) {
    case 'empty': return h('p', {class: 'note'}, 'No body.');
    case 'json': return h(JsonTree, {text: body.text});
    case 'image': return h('div', {class: 'image'},
      h('img', {src: 'data:' + body.contentType.split(';')[0] + ';base64,' + body.base64, alt: 'the body, an image',
        onLoad: e => { e.target.title = e.target.naturalWidth + ' × ' + e.target.naturalHeight; }}));
    case 'binary': return h('pre', {class: 'hex'}, hexDump(bytesOf(body.base64)));
    default: return h('pre', {class: 'text kind-' + body.kind}, body.text);
  }
}

/** The body of a message, with a Pretty / Raw switch and what to know about it (cut, encoded). */
export function BodyView({body}) {
  const [raw, setRaw] = useState(false);
  if (!body || body.size === 0) return h('p', {class: 'note'}, 'No body.');
  const notes = [];
  if (body.truncated) notes.push('Cut at the capture cap: ' + size(body.captured) + ' of ' + size(body.size) + ' captured.');
  if (body.codings && !body.decoded) notes.push(body.codings + '-encoded: shown as it flowed, not decoded.');
  return h('div', {class: 'body-view'},
    h('div', {class: 'body-bar'},
      h('span', {class: 'kind'}, body.kind + (body.contentType ? ' · ' + body.contentType : '') + ' · ' + size(body.size)),
      h('span', {class: 'switch'},
        h('button', {class: raw ? '' : 'on', onClick: () => setRaw(false)}, 'Pretty'),
        h('button', {class: raw ? 'on' : '', onClick: () => setRaw(true)}, 'Raw'))),
    notes.map(n => h('p', {class: 'note warn'}, n)),
    raw ? h('pre', {class: body.text != null ? 'text raw' : 'hex raw'}, body.text != null ? body.text : hexDump(bytesOf(body.base64)))
        : h(Pretty, {body}));
}
