// The flows as files, from the toolbar: a HAR of every flow or of those the filter shows (Chrome's and Firefox's
// network panels import it), a wiretap session file, and a HAR or session file loaded back as flows to look at and
// replay.
import {h} from 'preact';
import {useEffect, useRef, useState} from 'preact/hooks';
import {download, harUrl, importFile, info, sessionUrl} from './api.js';
import {size} from './format.js';

/**
 * The menu under the toolbar's Files button. props: filter (the view's, or ''), shown (rows the view shows), held
 * (flows wiretap holds), onImport(file), onClose, flash(text, bad)
 */
export function FilesMenu({filter, shown, held, onImport, onClose, flash}) {
  const menu = useRef(null);
  const picker = useRef(null);
  useEffect(() => {
    const outside = e => { if (menu.current && !menu.current.contains(e.target) && !e.target.closest('button.files')) onClose(); };
    const escape = e => { if (e.key === 'Escape') onClose(); };
    document.addEventListener('mousedown', outside);
    document.addEventListener('keydown', escape);
    return () => { document.removeEventListener('mousedown', outside); document.removeEventListener('keydown', escape); };
  }, []);
  const get = async (url, what) => {
    onClose();
    const answer = await download(url);
    flash(answer.failed ? what + ' failed: ' + answer.error : what + ': the browser saves the file', answer.failed);
  };
  const item = (key, label, note, run) => h('li', null, h('button', {class: 'item ' + key, onClick: run}, label),
    note ? h('span', {class: 'note'}, note) : null);
  return h('div', {class: 'menu files-menu', ref: menu, role: 'menu'},
    h('ul', null,
      item('har-all', 'Export HAR: every flow', held + ' held; in-flight flows and tunnels are left out',
        () => get(harUrl(''), 'HAR export')),
      filter.trim() ? item('har-filtered', 'Export HAR: the flows the filter shows', shown + ' shown by ' + filter,
        () => get(harUrl(filter), 'HAR export')) : null,
      item('session-save', 'Save session file', 'every finished flow, whole, in wiretap\'s own format',
        () => get(sessionUrl(), 'Saving the session')),
      item('import', 'Import HAR or session file…', 'its flows are added to the list, to look at and replay',
        () => picker.current.click())),
    h('input', {type: 'file', class: 'import-file', ref: picker, accept: '.har,.json,.wiretap,application/json',
      style: {display: 'none'}, onChange: e => {
        const file = e.target.files[0];
        e.target.value = '';
        if (file) { onClose(); onImport(file); }
      }}));
}

/** Loads {@code file} as flows, and says how it went: the flows and their numbers, warnings, or why not. */
export function ImportDialog({file, onClose}) {
  const [outcome, setOutcome] = useState(null);
  useEffect(() => {
    let current = true;
    (async () => {
      const about = await info();
      if (!about.failed && file.size > about.maxImportBytes) {
        // Refused here: the browser would send it all before hearing wiretap's 413.
        setOutcome({failed: true, error: file.name + ' is ' + size(file.size) + ', more than the ' + size(about.maxImportBytes)
          + ' wiretap takes in one upload; the console\'s load FILE reads a file of any size'});
        return;
      }
      const answer = await importFile(file);
      if (current) setOutcome(answer);
    })();
    return () => { current = false; };
  }, [file]);
  const onKeyDown = e => { if (e.key === 'Escape' && outcome) { e.stopPropagation(); onClose(); } };
  const done = outcome && !outcome.failed;
  return h('div', {class: 'modal-backdrop', onKeyDown, tabIndex: -1},
    h('div', {class: 'modal import', role: 'dialog', 'aria-label': 'Import ' + file.name},
      h('div', {class: 'modal-head'}, h('span', {class: 'title'}, 'Import ' + file.name),
        outcome ? h('button', {class: 'close', title: 'Close (Esc)', onClick: onClose}, '×') : null),
      !outcome ? h('p', {class: 'note'}, 'Loading ' + size(file.size) + '…')
        : outcome.failed ? h('div', {class: 'error-box', role: 'alert'}, outcome.error)
        : h('div', {class: 'ok-box', role: 'status'}, 'Loaded ' + outcome.flows + (outcome.flows === 1 ? ' flow' : ' flows')
            + ' from ' + file.name + ' (a ' + outcome.description
            + (outcome.source ? ' written by ' + outcome.source : '') + ')'
            + (outcome.flows ? ', numbered ' + outcome.first + ' to ' + outcome.last : '') + '.'),
      done && outcome.warnings.length ? [h('p', {class: 'note warn'}, 'Not everything in it could be read:'),
        h('ul', {class: 'warnings'}, outcome.warnings.map(w => h('li', null, w)))] : null,
      h('div', {class: 'modal-foot'},
        h('span', {class: 'hint'}, done ? 'Each flow has a note saying where it came from; replay, mock and export work on them as on any.' : ''),
        h('button', {class: 'cancel', disabled: !outcome, onClick: onClose}, 'Close'))));
}
