// The UI's only road to wiretap: the JSON API and the event stream (docs/web-api.md). The token travels in the
// HttpOnly cookie the ?token= visit set, so nothing here ever sees it.

/** Query text for the filter and highlight (empty ones left out). */
export function viewParams(filter, highlight, more = {}) {
  const p = new URLSearchParams();
  if (filter.trim()) p.set('filter', filter);
  if (highlight.trim()) p.set('highlight', highlight);
  for (const [k, v] of Object.entries(more)) p.set(k, String(v));
  return p;
}

/** GET a JSON answer; a refusal comes back as {error} with the API's fields (a filter's column and caret). */
export async function getJson(path) {
  const response = await fetch(path, {headers: {Accept: 'application/json'}, cache: 'no-store'});
  const body = await response.json().catch(() => ({error: response.status + ' ' + response.statusText}));
  if (!response.ok) return {failed: true, status: response.status, ...body};
  return body;
}

/** A page of the list, newest first: {flows, next}. */
export function listPage(filter, highlight, limit, before) {
  const more = {limit};
  if (before != null) more.before = before;
  return getJson('/api/flows?' + viewParams(filter, highlight, more));
}

export function flowDetail(id) {
  return getJson('/api/flows/' + id);
}

export async function clearFlows() {
  const response = await fetch('/api/flows', {method: 'DELETE'});
  return response.json();
}

/**
 * Sends a request with a JSON or text body (or none) and reads the JSON answer; a refusal comes back as
 * {failed, status, error, ...} with the API's fields (a message text's line, a filter's column).
 */
export async function send(method, path, body) {
  const init = {method, headers: {Accept: 'application/json'}, cache: 'no-store'};
  if (typeof body === 'string') {
    init.body = body;
    init.headers['Content-Type'] = 'text/plain; charset=utf-8';
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    return {failed: true, status: 0, error: 'wiretap cannot be reached: ' + e.message};
  }
  const answer = await response.json().catch(() => ({error: response.status + ' ' + response.statusText}));
  if (!response.ok) return {failed: true, status: response.status, ...answer};
  return answer;
}

// The intercept: its filter and the flows waiting, and what to do with one.
export const interceptState = () => getJson('/api/intercept');
export const setIntercept = (filter, responses) => send('PUT', '/api/intercept', {filter, responses});
export const interceptOff = () => send('DELETE', '/api/intercept');
export const resumeAll = () => send('POST', '/api/intercept/resume-all');
export const resumeFlow = id => send('POST', '/api/flows/' + id + '/resume');
export const dropFlow = id => send('POST', '/api/flows/' + id + '/drop');
export const pausedText = id => getJson('/api/flows/' + id + '/edit');
export const savePausedText = (id, text) => send('PUT', '/api/flows/' + id + '/edit', text);

// Acting on a recorded flow.
export const requestText = id => getJson('/api/flows/' + id + '/request-text');
export const replayFlow = (id, text) => send('POST', '/api/flows/' + id + '/replay', text);
export const mockOf = id => getJson('/api/flows/' + id + '/mock');
export const writeMock = id => send('POST', '/api/flows/' + id + '/mock');

// A flow, and the store, as files: a curl command, a body, HAR and session files out and back in.
export const curlCommand = (id, {proxy, insecure, oneLine}) =>
  getJson('/api/flows/' + id + '/curl?' + new URLSearchParams({proxy, insecure, oneLine}));
export const bodyUrl = (id, side) => '/api/flows/' + id + '/body/' + side;
export const harUrl = filter => '/api/export/har' + (filter.trim() ? '?' + new URLSearchParams({filter}) : '');
export const sessionUrl = () => '/api/export/session';
export const info = () => getJson('/api/info');

/**
 * Downloads what {@code url} answers as the file it names, the browser writing it to disk as it comes (a HAR of the
 * whole store may be larger than a page should hold). Asked with HEAD first, so that a refusal (a flow let go meanwhile)
 * comes back as {failed, error} for the page to show instead of a failed download.
 */
export async function download(url) {
  let response;
  try {
    response = await fetch(url, {method: 'HEAD', cache: 'no-store'});
  } catch (e) {
    return {failed: true, status: 0, error: 'wiretap cannot be reached: ' + e.message};
  }
  if (!response.ok) {
    const answer = await getJson(url);
    return answer.failed ? answer : {failed: true, status: response.status, error: response.status + ' ' + response.statusText};
  }
  const link = document.createElement('a');
  link.href = url;
  link.download = ''; // the name the answer's Content-Disposition gives
  document.body.appendChild(link);
  link.click();
  link.remove();
  return {ok: true};
}

/** Sends a HAR or session file to be loaded as flows; answers what was loaded, or {failed, error}. */
export async function importFile(file) {
  let response;
  try {
    response = await fetch('/api/import?' + new URLSearchParams({name: file.name}), {method: 'POST', body: file,
      headers: {'Content-Type': 'application/octet-stream', Accept: 'application/json'}, cache: 'no-store'});
  } catch (e) {
    return {failed: true, status: 0, error: 'the upload failed: ' + e.message};
  }
  const answer = await response.json().catch(() => ({error: response.status + ' ' + response.statusText}));
  if (!response.ok) return {failed: true, status: response.status, ...answer};
  return answer;
}

// wiretap's state.
export const rules = () => getJson('/api/rules');
export const stats = () => getJson('/api/stats');
export const caInfo = () => getJson('/api/ca');

/**
 * The live stream for a view: calls on.hello, on.flows({flows, gone}), on.intercept(state), on.cleared, on.resync,
 * on.state(text), and on.messages({flows: [{id, messages, bodySize, done}]}) for flows in flight that grew.
 */
export function follow(filter, highlight, on) {
  let source = null;
  const open = () => {
    const s = source = new EventSource('/api/events?' + viewParams(filter, highlight));
    s.addEventListener('hello', e => { on.state('live'); on.hello(JSON.parse(e.data)); });
    s.addEventListener('flows', e => on.flows(JSON.parse(e.data)));
    s.addEventListener('intercept', e => on.intercept(JSON.parse(e.data)));
    s.addEventListener('cleared', () => on.cleared());
    s.addEventListener('resync', () => on.resync());
    s.addEventListener('messages', e => on.messages && on.messages(JSON.parse(e.data)));
    s.onerror = () => on.state(s.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
  };
  // A page the user left may be kept by the browser to show again at once (its back-forward cache), its stream open:
  // wiretap would go on making rows for no one. The stream ends as the page goes, and starts again if it comes back
  // (its hello reads the list again).
  const leave = () => {
    if (source) source.close();
    source = null;
  };
  const back = e => {
    if (e.persisted && !source) open();
  };
  window.addEventListener('pagehide', leave);
  window.addEventListener('pageshow', back);
  open();
  return () => {
    window.removeEventListener('pagehide', leave);
    window.removeEventListener('pageshow', back);
    leave();
  };
}
