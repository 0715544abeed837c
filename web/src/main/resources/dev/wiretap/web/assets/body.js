// A message body shown by its kind (docs/web-api.md, body.kind), its content coding undone: JSON pretty-printed and
// foldable, images as images, text as text, anything else as hex; with the raw text beside it, and the bytes as they
// flowed (still compressed) when they differ.
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
    case 'image': {
      const type = body.image ? body.image.mediaType : (body.contentType || '').split(';')[0];
      return h('div', {class: 'image'},
        body.image && body.image.width ? h('p', {class: 'note'}, type + ', ' + body.image.width + ' × ' + body.image.height + ' pixels') : null,
        h('img', {src: 'data:' + type + ';base64,' + body.base64, alt: 'the body, an image',
          onLoad: e => { e.target.title = e.target.naturalWidth + ' × ' + e.target.naturalHeight; }}));
    }
    case 'binary': return h('pre', {class: 'hex'}, hexDump(bytesOf(body.base64)));
    default: return h('pre', {class: 'text kind-' + body.kind}, body.text);
  }
}

const VIEWS = [['pretty', 'Pretty'], ['raw', 'Raw'], ['wire', 'As flowed']];

/**
 * The body of a message: Pretty (by its kind), Raw (the decoded text or bytes as they are) and, when a content coding
 * was undone, As flowed (the bytes that went over the wire, in hex); with what to know about it (cut at the capture
 * cap, decoded from what, or why it could not be); and, given onSave, a button that saves it as a file, decoded.
 */
export function BodyView({body, onSave}) {
  const [view, setView] = useState('pretty');
  if (!body || body.size === 0) return h('p', {class: 'note'}, 'No body.');
  const notes = []; // [text, is a warning]
  if (body.truncated) notes.push(['Cut at the capture cap: ' + size(body.captured) + ' of ' + size(body.size) + ' captured.', true]);
  if (body.decoded) notes.push(['Decoded from ' + body.codings + ': ' + size(body.size) + ' as it flowed, ' + size(body.decodedSize) + ' decoded.', false]);
  if (body.decodeNote) notes.push([body.decodeNote + '.', true]);
  else if (body.codings && !body.decoded) notes.push([body.codings + '-encoded: shown as it flowed.', true]);
  const views = VIEWS.filter(([k]) => k !== 'wire' || body.wireBase64 != null);
  const current = views.some(([k]) => k === view) ? view : 'pretty';
  return h('div', {class: 'body-view'},
    h('div', {class: 'body-bar'},
      h('span', {class: 'kind'}, body.kind + (body.contentType ? ' · ' + body.contentType : '') + ' · ' + size(body.size)
        + (body.decoded ? ' (' + body.codings + ')' : '')),
      h('span', {class: 'switch'}, views.map(([k, label]) =>
        h('button', {class: (current === k ? 'on ' : '') + 'view-' + k, onClick: () => setView(k)}, label))),
      onSave ? h('button', {class: 'save-body', title: 'Save the body as a file, decoded', onClick: onSave}, 'Save') : null),
    notes.map(([n, warn]) => h('p', {class: warn ? 'note warn' : 'note decoded'}, n)),
    current === 'raw' ? h('pre', {class: body.text != null ? 'text raw' : 'hex raw'}, body.text != null ? body.text : hexDump(bytesOf(body.base64)))
      : current === 'wire' ? h('pre', {class: 'hex wire'}, hexDump(bytesOf(body.wireBase64)))
      : h(Pretty, {body}));
}
