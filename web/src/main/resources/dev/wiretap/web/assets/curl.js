// A flow's request as a curl command line, as the console's curl prints it: straight to the origin, or through
// wiretap (-x, trusting its CA) so that the resend shows here as a new flow; -k; on one line to paste whole. The
// choices are remembered in this browser.
import {h} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import {curlCommand} from './api.js';
import {copyText} from './mock.js';

const CHOICES = 'wiretap.curl';
const OPTIONS = [
  ['proxy', 'Through wiretap', 'curl -x: the resend goes through wiretap and shows here; an https URL trusts wiretap\'s CA'],
  ['insecure', 'Any certificate (-k)', 'curl accepts any certificate from the server it talks TLS to'],
  ['oneLine', 'One line', 'no comment lines or line continuations: pastes whole anywhere'],
];

function remembered() {
  try {
    const saved = JSON.parse(localStorage.getItem(CHOICES) || '{}');
    return {proxy: !!saved.proxy, insecure: !!saved.insecure, oneLine: !!saved.oneLine};
  } catch (e) {
    return {proxy: false, insecure: false, oneLine: false};
  }
}

/** props: id (the flow), onClose, flash(text, bad) */
export function CurlDialog({id, onClose, flash}) {
  const [options, setOptions] = useState(remembered);
  const [curl, setCurl] = useState(null);
  const text = useRef(null);
  useEffect(() => {
    let current = true;
    curlCommand(id, options).then(answer => { if (current) setCurl(answer); });
    try { localStorage.setItem(CHOICES, JSON.stringify(options)); } catch (e) { /* private mode: not remembered */ }
    return () => { current = false; };
  }, [id, options]);
  const copy = async () => {
    const ok = await copyText(curl.text, text.current);
    flash(ok ? 'The curl command is on the clipboard' : 'Copying failed: select the text and copy it', !ok);
    if (ok) onClose();
  };
  const onKeyDown = e => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } };
  return h('div', {class: 'modal-backdrop', onKeyDown, tabIndex: -1},
    h('div', {class: 'modal curl', role: 'dialog', 'aria-label': 'Flow ' + id + ' as curl'},
      h('div', {class: 'modal-head'}, h('span', {class: 'title'}, 'Flow #' + id + ' as a curl command'),
        h('button', {class: 'close', title: 'Close (Esc)', onClick: onClose}, '×')),
      h('div', {class: 'options'}, OPTIONS.map(([key, label, title]) =>
        h('label', {title}, h('input', {type: 'checkbox', name: key, checked: options[key],
          onChange: e => setOptions(o => ({...o, [key]: e.target.checked}))}), ' ' + label))),
      !curl ? h('p', {class: 'note'}, 'Loading…') : curl.failed ? h('div', {class: 'error-box'}, curl.error) : [
        curl.notes.map(n => h('p', {class: 'note warn'}, n)),
        h('pre', {class: 'command curl-text', ref: text}, curl.text)],
      h('div', {class: 'modal-foot'},
        h('span', {class: 'hint'}, 'For bash or zsh. The request\'s fields in order, hop-by-hop ones left out; the body quoted, or piped in by printf.'),
        curl && !curl.failed ? h('button', {class: 'primary copy', onClick: copy}, 'Copy') : null,
        h('button', {class: 'cancel', onClick: onClose}, 'Close'))));
}
