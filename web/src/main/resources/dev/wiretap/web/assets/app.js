// wiretap's web UI: the live flow list with its filter bar, one flow's detail below it, the intercept and wiretap's
// state in drawers beside them, editors for a paused message, a request to replay and a mock, a flow as curl, and the
// flows as HAR and session files out and back in.
import {h, render} from 'preact';
import {useCallback, useEffect, useMemo, useRef, useState} from 'preact/hooks';
import {bodyUrl, clearFlows, download, dropFlow, flowDetail, follow, interceptState, listPage, pausedText, replayFlow,
  requestText, resumeFlow, savePausedText} from './api.js';
import {CurlDialog} from './curl.js';
import {FlowDetail as FlowDetailView} from './detail.js';
import {MessageEditor} from './editor.js';
import {FlowList, compareBy} from './flowlist.js';
import {FilesMenu, ImportDialog} from './files.js';
import {FilterBar as FilterBarView} from './filterbar.js';
import {isDone} from './format.js';
import {InterceptPanel, localIntercept} from './intercept.js';
import {memo} from './memo.js';
import {MockDialog} from './mock.js';
import {StatePanel} from './state.js';

// Drawn again only when their props change, not at every tick of the live list.
const FlowDetail = memo(FlowDetailView);
const FilterBar = memo(FilterBarView);

const FIRST_PAGE = 300; // a screenful and more, at once; the rest follows in larger pages
const MORE_PAGE = 5000;
const READING_REDRAW_MS = 1000; // while older pages come in, the list is drawn again at most this often

/**
 * The rows the browser holds for the view: by id, newest state wins (a finished row is never replaced by an older,
 * unfinished one that a page read before the flow ended). Also kept in id order at all times, without sorting: new flows
 * are appended (the usual case), a tick's flows that ended out of order are merged in among the last few rows, and an
 * older page is merged in front in one pass. Never more rows than wiretap's store holds: the oldest go, as they went
 * from the store.
 */
class Rows {
  constructor() { this.byId = new Map(); this.list = []; }
  merge(rows) {
    const fresh = new Map();
    for (const row of rows) {
      const known = this.byId.get(row.id) || fresh.get(row.id);
      if (known && isDone(known) && !isDone(row)) continue;
      if (this.byId.has(row.id)) {
        this.byId.set(row.id, row);
        this.list[this.find(row.id)] = row;
      } else {
        fresh.set(row.id, row);
      }
    }
    if (!fresh.size) return;
    const added = [...fresh.values()].sort((a, b) => a.id - b.id);
    for (const row of added) this.byId.set(row.id, row);
    const list = this.list;
    if (!list.length || list[list.length - 1].id < added[0].id) {
      for (const row of added) list.push(row);
      return;
    }
    const after = list.splice(this.place(added[0].id)); // the rows the new ones go among
    let i = 0, j = 0;
    while (i < after.length && j < added.length) list.push(after[i].id < added[j].id ? after[i++] : added[j++]);
    while (i < after.length) list.push(after[i++]);
    while (j < added.length) list.push(added[j++]);
  }
  remove(ids) {
    let removed = false;
    for (const id of ids) removed = this.byId.delete(id) || removed;
    if (removed) this.list = this.list.filter(r => this.byId.get(r.id) === r);
  }
  /** Keeps the newest {@code max} rows. */
  trim(max) {
    const excess = this.list.length - max;
    if (excess <= 0) return;
    for (let i = 0; i < excess; i++) this.byId.delete(this.list[i].id);
    this.list.splice(0, excess);
  }
  clear() { this.byId.clear(); this.list = []; }
  get size() { return this.byId.size; }
  /** The rows by id, oldest first (the array itself: do not change it). */
  inOrder() {
    return this.list;
  }
  /** Where row {@code id} is in {@link #inOrder}, or -1. */
  find(id) {
    const at = this.place(id);
    return at < this.list.length && this.list[at].id === id ? at : -1;
  }
  /** Where a row with {@code id} is or would go in {@link #inOrder}: the first place whose id is not less. */
  place(id) {
    const list = this.list;
    let lo = 0, hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function App() {
  const rows = useRef(new Rows()).current;
  const [version, setVersion] = useState(0);
  const bump = useCallback(() => setVersion(v => v + 1), []);
  const [view, setView] = useState({filter: '', highlight: ''});
  const [errors, setErrors] = useState({});
  const [stream, setStream] = useState('connecting');
  const [loading, setLoading] = useState(false);
  const [held, setHeld] = useState(0);
  const [sort, setSort] = useState({key: 'id', dir: 'asc'});
  const [following, setFollowing] = useState(true);
  const [selected, setSelected] = useState(null);
  const [keyMoved, setKeyMoved] = useState(0);
  const [open, setOpen] = useState(null);
  const [detail, setDetail] = useState(null);
  const [progress, setProgress] = useState(0); // bumped when the open flow grows (messages, a streaming body)
  const openRef = useRef(null);
  openRef.current = open;
  const [confirmClear, setConfirmClear] = useState(false);
  const [intercept, setIntercept] = useState(null);
  const [panel, setPanel] = useState(null);
  const [editor, setEditor] = useState(null);
  const [mockFor, setMockFor] = useState(null);
  const [curlFor, setCurlFor] = useState(null);
  const [filesOpen, setFilesOpen] = useState(false);
  const [importing, setImporting] = useState(null);
  const [message, setMessage] = useState(null);
  // A replay sent from here: its flow (a new one, marked replayOf) opens when it shows.
  const awaitedReplay = useRef(null);
  const reading = useRef(0);
  // News that came while a reading's first page was on its way: applied again over that page, being newer.
  const newsDuringRead = useRef(null);
  // Whether the stream left rows out (traffic faster than a list can show): the list is read whole when the user stops
  // following, the gaps being out of sight until then.
  const [gaps, setGaps] = useState(false);

  // The stream's news goes into the rows at once, and the page is drawn at the next frame: once a frame however many
  // events came, and not at all while the tab is hidden (the browser runs no frames then; the rows and counts are kept
  // up to date, and drawn when it shows again).
  const drawing = useRef(null);
  const drawSoon = useCallback(news => {
    const queued = drawing.current;
    if (queued) {
      queued.held = news.held;
      queued.gaps = queued.gaps || news.gaps;
      return;
    }
    drawing.current = {...news};
    requestAnimationFrame(() => {
      const {held, gaps} = drawing.current;
      drawing.current = null;
      setHeld(held);
      if (gaps) setGaps(true);
      bump();
    });
  }, []);

  // Reads the whole view back from the newest, page by page, merging into what the stream already brought.
  const reload = useCallback(async (filter, highlight) => {
    const generation = ++reading.current;
    setLoading(true);
    setGaps(false);
    newsDuringRead.current = [];
    let page = await listPage(filter, highlight, FIRST_PAGE, null);
    if (generation !== reading.current) return;
    const news = newsDuringRead.current;
    newsDuringRead.current = null;
    if (page.failed) { setLoading(false); return; }
    rows.clear();
    rows.merge(page.flows);
    for (const {flows, gone} of news) { rows.merge(flows); rows.remove(gone); }
    setHeld(page.held);
    bump();
    let drawn = performance.now();
    while (page.next != null) {
      page = await listPage(filter, highlight, MORE_PAGE, page.next);
      if (generation !== reading.current || page.failed) return;
      rows.merge(page.flows);
      if (performance.now() - drawn > READING_REDRAW_MS) {
        drawn = performance.now();
        bump();
      }
    }
    bump();
    setLoading(false);
  }, []);

  // The stream for the view in force: its hello (first, and after each reconnection) reads the list again.
  useEffect(() => {
    const stop = follow(view.filter, view.highlight, {
      hello: hello => {
        setHeld(hello.held);
        reload(view.filter, view.highlight);
        interceptState().then(state => { if (!state.failed) setIntercept(localIntercept(state)); });
      },
      flows: ({flows, gone, held, skipped}) => {
        if (newsDuringRead.current) newsDuringRead.current.push({flows, gone});
        rows.merge(flows);
        rows.remove(gone);
        rows.trim(held);
        drawSoon({held, gaps: skipped > 0});
        const awaited = awaitedReplay.current;
        const replay = awaited && flows.find(f => f.replayOf === awaited);
        if (replay) {
          awaitedReplay.current = null;
          setOpen(replay.id);
          setSelected(replay.id);
        }
      },
      intercept: state => setIntercept(localIntercept(state)),
      cleared: () => { rows.clear(); bump(); },
      resync: () => reload(view.filter, view.highlight),
      messages: ({flows}) => {
        const grew = flows.find(f => f.id === openRef.current);
        if (!grew) return;
        if (grew.messages != null) setProgress(p => p + 1); // the Messages tab fetches what is new
        else flowDetail(grew.id).then(d => { if (openRef.current === grew.id) setDetail(d); }); // the body so far
      },
      state: setStream,
    });
    return stop;
  }, [view]);

  // A list with gaps is read whole again once the user stops following (scrolls up, pauses, opens a flow by key).
  useEffect(() => {
    if (gaps && !following) reload(view.filter, view.highlight);
  }, [gaps, following]);

  // A typed filter is checked by the API (a fault comes back with its column) before the view takes it.
  const tryView = useCallback(async next => {
    const page = await listPage(next.filter, next.highlight, 1, null);
    if (page.failed && page.parameter) {
      setErrors({[page.parameter]: page});
      return;
    }
    setErrors({});
    setView(v => v.filter === next.filter && v.highlight === next.highlight ? v : next);
  }, []);

  const ordered = useMemo(() => {
    const list = rows.inOrder();
    if (sort.key === 'id') return sort.dir === 'asc' ? list : list.slice().reverse();
    return list.slice().sort(compareBy(sort.key, sort.dir));
  }, [version, sort]);
  // Where a row is in the order shown: found by id in the usual order, looked for in any other.
  const indexOf = useCallback(id => {
    if (sort.key !== 'id') return ordered.findIndex(r => r.id === id);
    const at = rows.find(id);
    return at < 0 || sort.dir === 'asc' ? at : ordered.length - 1 - at;
  }, [ordered, sort]);

  const openFlow = useCallback(id => {
    setOpen(id);
    setSelected(id);
  }, []);
  const closeFlow = useCallback(() => setOpen(null), []);

  // The open flow's detail, read again when its row changes (an in-flight flow that ends).
  const openRow = open == null ? null : rows.byId.get(open);
  useEffect(() => {
    if (open == null) { setDetail(null); return; }
    let current = true;
    flowDetail(open).then(d => { if (current) setDetail(d); });
    return () => { current = false; };
  }, [open, openRow && openRow.state]);

  // Keys, as mitmweb has them: arrows or j/k move, Enter opens, Esc closes. The handler reads the newest state
  // through a ref: keys typed faster than a render must each see the one before.
  const keyState = useRef({});
  keyState.current = {ordered, indexOf, selected, open};
  useEffect(() => {
    const onKey = e => {
      if (document.querySelector('.modal-backdrop')) return; // the dialog has the keys
      if (e.target.closest && e.target.closest('input, textarea, button')) {
        if (e.key === 'Escape' && e.target.blur) e.target.blur();
        return;
      }
      const {ordered, indexOf, selected, open} = keyState.current;
      const move = {ArrowDown: 1, j: 1, ArrowUp: -1, k: -1}[e.key];
      if (move && ordered.length) {
        e.preventDefault();
        const at = selected == null ? (move > 0 ? -1 : ordered.length) : indexOf(selected);
        const next = ordered[Math.max(0, Math.min(ordered.length - 1, at + move))];
        keyState.current.selected = next.id;
        setSelected(next.id);
        setKeyMoved(n => n + 1);
        if (open != null) setOpen(next.id);
      } else if (e.key === 'Enter' && selected != null) {
        e.preventDefault();
        keyState.current.open = selected;
        openFlow(selected);
      } else if (e.key === 'Escape') {
        keyState.current.open = null;
        setOpen(null);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const onSort = key => setSort(s => ({key, dir: s.key === key && s.dir === 'asc' ? 'desc' : 'asc'}));
  const doClear = async () => {
    setConfirmClear(false);
    const answer = await clearFlows();
    rows.clear();
    setHeld(answer.held);
    setOpen(null);
    bump();
  };

  const flash = useCallback((text, bad) => setMessage({text, bad: !!bad, at: Date.now()}), []);
  useEffect(() => {
    if (!message) return;
    const timer = setTimeout(() => setMessage(null), message.bad ? 8000 : 4000);
    return () => clearTimeout(timer);
  }, [message]);

  const pausedById = useMemo(() => new Map((intercept ? intercept.paused : []).map(p => [p.id, p])), [intercept]);

  // Opens a paused message in the editor; saved, it stays paused unless the user chose to resume it too.
  const editPaused = useCallback(async id => {
    const answer = await pausedText(id);
    if (answer.failed) { flash(answer.error, true); return; }
    const save = text => savePausedText(id, text);
    setEditor({
      title: 'Flow #' + id + ': the ' + answer.side + ' it waits at',
      text: answer.text,
      notes: [answer.bodyEditable ? null : 'The body is larger than the capture cap and goes on as it comes: only the head can be edited.',
        'A compressed body shows decoded, and is compressed again with the codings its Content-Encoding line names (delete that line to send it as written). Content-Length follows the body.'],
      actions: [
        {key: 'save', label: 'Save', run: save, done: () => flash('Flow #' + id + '\'s ' + answer.side + ' edited; it waits until resumed')},
        {key: 'save-resume', label: 'Save and resume', primary: true, run: async text => {
          const saved = await save(text);
          if (saved.failed) return saved;
          return resumeFlow(id);
        }, done: () => flash('Flow #' + id + ' edited and resumed')}],
    });
  }, []);

  const replayEdited = useCallback(async id => {
    const answer = await requestText(id);
    if (answer.failed) { flash(answer.error, true); return; }
    setEditor({
      title: 'Replay flow #' + id + ', edited',
      text: answer.text,
      notes: [answer.bodyEditable ? null : 'The body was cut at the capture cap: write a body in place of the placeholder line to send one.',
        'The request goes out again as a new flow, through the rules and the intercept like any other.'],
      actions: [{key: 'replay', label: 'Replay', primary: true, run: text => sendReplay(id, text)}],
    });
  }, []);

  const sendReplay = async (id, text) => {
    const list = rows.inOrder();
    const newest = list.length ? list[list.length - 1].id : 0;
    const answer = await replayFlow(id, text);
    if (!answer.failed) {
      flash('Replaying flow #' + id + (text ? ' (edited)' : '') + '; it opens when it ends');
      // Its row may have come before this answer did (a tick of the stream fell between them): then it opens now. Only
      // a row newer than the click's can be it, not an earlier replay of the same flow.
      const now = rows.inOrder();
      let early = null;
      for (let i = now.length - 1; i >= 0 && now[i].id > newest && !early; i--) if (now[i].replayOf === id) early = now[i];
      if (early) {
        setOpen(early.id);
        setSelected(early.id);
      } else {
        awaitedReplay.current = id;
      }
    }
    return answer;
  };

  const onAction = useCallback(async (kind, id) => {
    let answer;
    switch (kind) {
      case 'edit': return editPaused(id);
      case 'resume': answer = await resumeFlow(id); if (!answer.failed) flash('Flow #' + id + ' resumed'); break;
      case 'drop': answer = await dropFlow(id); if (!answer.failed) flash('Flow #' + id + ' dropped: its client\'s connection was cut'); break;
      case 'replay': answer = await sendReplay(id); break;
      case 'replay-edit': return replayEdited(id);
      case 'mock': setMockFor(id); return;
      case 'curl': setCurlFor(id); return;
      case 'save-request': case 'save-response': {
        const side = kind.slice(5);
        answer = await download(bodyUrl(id, side));
        if (!answer.failed) flash('Flow #' + id + '\'s ' + side + ' body, decoded: the browser saves the file');
        break;
      }
    }
    if (answer && answer.failed) flash(answer.error, true);
  }, []);

  const closeEditor = (answer, action) => {
    setEditor(null);
    if (answer && action && action.done) action.done();
  };

  const shown = ordered.length;
  const pausedCount = intercept ? intercept.paused.length : 0;
  return h('div', {class: 'app' + (open != null ? ' with-detail' : '')},
    h('header', {class: 'toolbar'},
      h('span', {class: 'brand'}, 'wiretap'),
      h(FilterBar, {view, errors, onChange: tryView}),
      h('span', {class: 'controls'},
        h('button', {class: 'panel-intercept' + (panel === 'intercept' ? ' on' : '') + (intercept && intercept.filter ? ' armed' : ''),
          title: 'Pause requests or responses, and edit, resume or drop them',
          onClick: () => setPanel(p => p === 'intercept' ? null : 'intercept')},
          'Intercept', pausedCount ? h('span', {class: 'badge', title: pausedCount + ' paused'}, h('span', {class: 'pause-sign'}), ' ' + pausedCount) : null),
        h('button', {class: 'panel-state' + (panel === 'state' ? ' on' : ''), title: 'Counters, rules in force, the CA certificate',
          onClick: () => setPanel(p => p === 'state' ? null : 'state')}, 'State'),
        h('span', {class: 'menu-anchor'},
          h('button', {class: 'files' + (filesOpen ? ' on' : ''), title: 'Export HAR, save a session file, import HAR or session files',
            'aria-haspopup': 'menu', 'aria-expanded': filesOpen, onClick: () => setFilesOpen(o => !o)}, 'Files ▾'),
          filesOpen ? h(FilesMenu, {filter: view.filter, shown, held, flash, onClose: () => setFilesOpen(false),
            onImport: setImporting}) : null),
        h('button', {class: 'follow' + (following ? ' on' : ''), title: following ? 'Stop following new flows' : 'Follow new flows',
          onClick: () => setFollowing(f => !f)}, following ? 'Pause' : 'Follow'),
        confirmClear
          ? h('span', {class: 'confirm'}, 'Forget ' + held + ' flows? ',
              h('button', {class: 'danger', onClick: doClear}, 'Clear'), h('button', {onClick: () => setConfirmClear(false)}, 'Cancel'))
          : h('button', {class: 'clear', title: 'Forget the recorded flows', onClick: () => setConfirmClear(true)}, 'Clear'))),
    h(FlowList, {rows: ordered, sort, onSort, selected, onSelect: setSelected, onOpen: openFlow,
      indexOf, scrollToSelected: keyMoved, following,
      onScrolledAway: () => setFollowing(false), onScrolledToEnd: () => setFollowing(true),
      emptyText: loading ? 'Loading…' : view.filter ? 'No flow matches the filter.' : 'No flows yet: send traffic through the proxy.'}),
    open != null ? h(FlowDetail, {key: open, flow: detail, paused: pausedById.get(open) || null, onAction, progress,
      onClose: closeFlow}) : null,
    panel === 'intercept' ? h(InterceptPanel, {state: intercept, flash, onClose: () => setPanel(null),
      onEdit: id => onAction('edit', id), onResume: id => onAction('resume', id), onDrop: id => onAction('drop', id),
      onOpen: id => { setOpen(id); setSelected(id); }}) : null,
    panel === 'state' ? h(StatePanel, {onClose: () => setPanel(null)}) : null,
    editor ? h(MessageEditor, {...editor, onClose: closeEditor}) : null,
    mockFor != null ? h(MockDialog, {id: mockFor, flash, onClose: () => setMockFor(null)}) : null,
    curlFor != null ? h(CurlDialog, {id: curlFor, flash, onClose: () => setCurlFor(null)}) : null,
    importing ? h(ImportDialog, {file: importing, onClose: () => setImporting(null)}) : null,
    message ? h('div', {class: 'flash' + (message.bad ? ' bad' : ''), role: 'status'}, message.text) : null,
    h('footer', {class: 'status-bar'},
      h('span', {class: 'stream ' + stream}, stream === 'live' ? '● live' : stream),
      h('span', {class: 'count'}, shown + (view.filter ? ' matching' : '') + ' flows shown · ' + held + ' held by wiretap'),
      intercept && intercept.filter ? h('span', {class: 'intercepting'}, 'intercepting ' + intercept.filter) : null,
      loading ? h('span', null, 'reading…') : null,
      following ? null : h('span', {class: 'paused-note'}, 'not following new flows'),
      gaps ? h('span', {class: 'gaps-note', title: 'More flows a second than a list can show: the newest are shown as they come'},
        'fast traffic: the newest are shown; the rest fill in when you pause') : null));
}

render(h(App, null), document.getElementById('app'));
