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
 * The live stream for a view: calls on.hello, on.flows({flows, gone}), on.cleared, on.resync, on.state(text), and
 * on.messages({flows: [{id, messages, bodySize, done}]}) for flows in flight that grew.
 */
export function follow(filter, highlight, on) {
  const source = new EventSource('/api/events?' + viewParams(filter, highlight));
  source.addEventListener('hello', e => { on.state('live'); on.hello(JSON.parse(e.data)); });
  source.addEventListener('flows', e => on.flows(JSON.parse(e.data)));
  source.addEventListener('cleared', () => on.cleared());
  source.addEventListener('resync', () => on.resync());
  source.addEventListener('messages', e => on.messages && on.messages(JSON.parse(e.data)));
  source.onerror = () => on.state(source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting');
  return () => source.close();
}
