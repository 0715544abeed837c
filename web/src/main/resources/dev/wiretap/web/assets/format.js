// How values read in the list and the detail: sizes, durations, times, status classes.

export function size(bytes) {
  if (bytes == null) return '';
  if (bytes < 1024) return bytes + ' B';
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0) + ' kB';
  return (bytes / 1024 / 1024).toFixed(1) + ' MB';
}

export function millis(ms) {
  if (ms == null) return '';
  if (ms < 1) return ms.toFixed(2) + ' ms';
  if (ms < 1000) return ms.toFixed(ms < 10 ? 1 : 0) + ' ms';
  return (ms / 1000).toFixed(2) + ' s';
}

export function clock(iso) {
  const d = new Date(iso);
  const two = n => String(n).padStart(2, '0');
  return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds()) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

export function statusClass(status) {
  if (status == null) return 'st-none';
  return 'st-' + Math.floor(status / 100) + 'xx';
}

/** application/json; charset=utf-8 reads as json; image/png as png. */
export function shortType(contentType) {
  if (!contentType) return '';
  const type = contentType.split(';')[0].trim().toLowerCase();
  let sub = type.includes('/') ? type.slice(type.indexOf('/') + 1) : type;
  if (sub.includes('+')) sub = sub.slice(sub.lastIndexOf('+') + 1);
  return sub.startsWith('x-') ? sub.slice(2) : sub;
}

export function isDone(row) {
  return row.state === 'done' || row.state === 'failed';
}
