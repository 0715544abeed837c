// The flow list: a virtual list (only the rows in view are in the DOM), so 100,000 flows scroll as smoothly as ten.
// Its rows are a fixed set of slots that take the flows in view as the list moves (keyed by their place, not by flow):
// following a busy stream or scrolling changes their text, never makes or drops elements; and the newest row is kept
// in view without reading the layout back, so a tick's news costs one layout at the next frame.
import {h} from 'preact';
import {useEffect, useLayoutEffect, useRef, useState} from 'preact/hooks';
import {clock, millis, shortType, size, statusClass} from './format.js';
import {memo} from './memo.js';

export const ROW_HEIGHT = 22;
const OVERSCAN = 6;

/** The columns: key to sort by, title, and how a row shows it. */
export const COLUMNS = [
  {key: 'id', title: '#', cell: r => String(r.id)},
  {key: 'started', title: 'Time', cell: r => clock(r.started)},
  {key: 'method', title: 'Method', cell: r => r.method},
  {key: 'host', title: 'Host', cell: r => r.port && r.port !== (r.scheme === 'https' ? 443 : 80) ? r.host + ':' + r.port : r.host},
  {key: 'path', title: 'Path', cell: r => r.path},
  {key: 'status', title: 'Status', cell: r => r.status == null ? (r.state === 'failed' ? 'ERR' : '…') : String(r.status)},
  {key: 'contentType', title: 'Type', cell: r => shortType(r.contentType)},
  {key: 'size', title: 'Size', cell: r => size(r.size)},
  {key: 'durationMs', title: 'Duration', cell: r => r.durationMs == null ? (r.state === 'paused' ? 'paused' : '…') : millis(r.durationMs)},
  {key: 'rules', title: 'Rules', cell: r => r.rules.join(', ')},
];

/** Orders rows by a column; the number breaks ties, so the order is stable. */
export function compareBy(key, dir) {
  const sign = dir === 'desc' ? -1 : 1;
  if (key === 'id') return (a, b) => sign * (a.id - b.id); // the usual order, kept quick for 100,000 rows
  const value = r => key === 'rules' ? r.rules.join(',') : r[key];
  return (a, b) => {
    const x = value(a), y = value(b);
    let c = 0;
    if (x == null && y != null) c = 1;
    else if (y == null && x != null) c = -1;
    else if (typeof x === 'number' && typeof y === 'number') c = x - y;
    else if (x != null) c = String(x).localeCompare(String(y));
    return c !== 0 ? sign * c : sign * (a.id - b.id);
  };
}

function rowClass(row, selected, alt) {
  let c = 'row ' + statusClass(row.status) + ' state-' + row.state.replace('_', '-') + (alt ? ' alt' : '');
  if (row.highlighted) c += ' highlighted';
  if (selected) c += ' selected';
  return c;
}

function RowView({row, selected, alt, onSelect, onOpen}) {
  return h('div', {class: rowClass(row, selected, alt), 'data-id': row.id, role: 'row',
      onClick: () => onSelect(row.id), onDblClick: () => onOpen(row.id)},
    COLUMNS.map(col => h('span', {class: 'cell c-' + col.key, title: col.key === 'path' || col.key === 'host' ? col.cell(row) : null},
      col.key === 'id' ? [row.state === 'paused' ? h('span', {class: 'mark paused', title: 'paused', role: 'img', 'aria-label': 'paused'}) :
        row.state === 'in_flight' ? h('span', {class: 'mark', title: 'in flight'}, '…') :
        row.state === 'failed' ? h('span', {class: 'mark', title: row.error || 'failed'}, '✗') :
        row.replayOf ? h('span', {class: 'mark replay', title: 'a replay of #' + row.replayOf}, '↻') : null, col.cell(row)] : col.cell(row))));
}

// A row whose flow, selection and stripe stay as they were is not drawn again (a list the user reads while traffic comes).
const Row = memo(RowView);

/**
 * props: rows (in order), sort {key, dir}, onSort(key), selected, onSelect(id), onOpen(id), following,
 * onScrolledAway(), onScrolledToEnd()
 */
export function FlowList(props) {
  const box = useRef(null);
  // Where the list is scrolled to: the place last seen (a ref, kept up to date by every scroll, ours too), and a state
  // that the user's scrolling sets to draw the rows there.
  const place = useRef(0);
  const [, setTop] = useState(0);
  const [height, setHeight] = useState(400);
  const {rows} = props;

  useLayoutEffect(() => {
    const observer = new ResizeObserver(() => setHeight(box.current.clientHeight));
    observer.observe(box.current);
    setHeight(box.current.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Following: the newest row stays in view as rows come in. The place is worked out from the row count, and only
  // written: reading scrollHeight here would lay the page out again in the middle of the update.
  const end = Math.max(0, rows.length * ROW_HEIGHT - height);
  const shownTop = props.following ? end : place.current;
  const written = useRef(-1); // the place last written while following; -1 when not following
  if (!props.following) written.current = -1;
  useLayoutEffect(() => {
    if (props.following && written.current !== end) {
      written.current = end;
      place.current = end;
      box.current.scrollTop = end;
    }
  });

  // The selected row is scrolled into view when keys move it.
  useEffect(() => {
    if (props.selected == null || !props.scrollToSelected) return;
    const index = props.indexOf(props.selected);
    if (index < 0) return;
    const el = box.current;
    const y = index * ROW_HEIGHT;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = y + ROW_HEIGHT - el.clientHeight;
  }, [props.selected, props.scrollToSelected]);

  const onScroll = () => {
    const el = box.current;
    const now = el.scrollTop;
    place.current = now;
    // Our own write while following: the list shows that place already, so no second drawing of it.
    if (props.following && Math.abs(now - written.current) < 1) return;
    setTop(now);
    const atEnd = rows.length * ROW_HEIGHT - el.clientHeight - now <= ROW_HEIGHT;
    if (atEnd) props.onScrolledToEnd();
    else props.onScrolledAway();
  };

  const first = Math.max(0, Math.floor(shownTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((shownTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  const sortMark = key => props.sort.key === key ? (props.sort.dir === 'asc' ? ' ▲' : ' ▼') : '';

  return h('div', {class: 'flow-list', role: 'grid', 'aria-rowcount': rows.length},
    h('div', {class: 'row head', role: 'row'},
      COLUMNS.map(col => h('span', {class: 'cell c-' + col.key, role: 'columnheader', 'data-sort': col.key,
        onClick: () => props.onSort(col.key)}, col.title + sortMark(col.key)))),
    h('div', {class: 'rows', ref: box, onScroll},
      h('div', {class: 'spacer', style: {height: rows.length * ROW_HEIGHT + 'px'}},
        h('div', {class: 'window', style: {transform: 'translateY(' + first * ROW_HEIGHT + 'px)'}},
          visible.map((row, slot) => h(Row, {key: slot, row, selected: row.id === props.selected, alt: (first + slot) % 2 === 1,
            onSelect: props.onSelect, onOpen: props.onOpen}))))),
    rows.length === 0 ? h('div', {class: 'empty'}, props.emptyText) : null);
}
