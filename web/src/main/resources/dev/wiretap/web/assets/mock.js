// A flow as a mock: the rule that answers its request with its response without the origin, as the console's mock N
// prints it; copied from here, or added to the config file as mock N --write does.
import {h} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import {mockOf, writeMock} from './api.js';

/** Copies text to the clipboard: the Clipboard API where the page may use it, else a selection and the copy command. */
export async function copyText(text, fallbackElement) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    if (!fallbackElement) return false;
    const range = document.createRange();
    range.selectNodeContents(fallbackElement);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return document.execCommand('copy');
  }
}

/** props: id (the flow), onClose, flash(text, bad) */
export function MockDialog({id, onClose, flash}) {
  const [mock, setMock] = useState(null);
  const [written, setWritten] = useState(null);
  const [busy, setBusy] = useState(false);
  const yaml = useRef(null);
  useEffect(() => { mockOf(id).then(setMock); }, [id]);
  const copy = async () => {
    const ok = await copyText(mock.yaml, yaml.current);
    flash(ok ? 'The rule is on the clipboard: paste it under rules: in your config file' : 'Copying failed: select the text and copy it', !ok);
  };
  const add = async () => {
    setBusy(true);
    const answer = await writeMock(id);
    setBusy(false);
    setWritten(answer);
  };
  const onKeyDown = e => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } };
  return h('div', {class: 'modal-backdrop', onKeyDown, tabIndex: -1},
    h('div', {class: 'modal mock', role: 'dialog', 'aria-label': 'Mock of flow ' + id},
      h('div', {class: 'modal-head'}, h('span', {class: 'title'}, 'Mock of flow #' + id),
        h('button', {class: 'close', title: 'Close (Esc)', onClick: onClose}, '×')),
      !mock ? h('p', {class: 'note'}, 'Loading…') : mock.failed ? h('div', {class: 'error-box'}, mock.error) : [
        h('p', {class: 'note'}, 'A rule that answers this request (same method, host, path and query) with the recorded'
          + ' response, without the origin. Paste it under rules: in a config file, or add it to ' + mock.config + '.'),
        mock.inlineBody ? null : h('p', {class: 'note warn'}, 'The body is not short text: adding the rule writes it to '
          + mock.bodyFile + ' beside the config file.'),
        mock.notes.map(n => h('p', {class: 'note'}, n)),
        h('pre', {class: 'text yaml', ref: yaml}, mock.yaml),
        written ? h('div', {class: written.failed ? 'error-box' : 'ok-box', role: 'status'}, written.failed ? written.error : written.message) : null],
      h('div', {class: 'modal-foot'},
        h('span', {class: 'hint'}),
        mock && !mock.failed ? h('button', {class: 'copy', onClick: copy}, 'Copy') : null,
        mock && !mock.failed ? h('button', {class: 'primary add', disabled: busy || (written && !written.failed), onClick: add},
          'Add to config') : null,
        h('button', {class: 'cancel', onClick: onClose}, 'Close'))));
}
