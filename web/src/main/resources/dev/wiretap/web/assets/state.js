// wiretap's state: the counters, the rules in force (read again as the config file is reloaded) with how many flows
// each applied to, and wiretap's CA certificate to download with how to trust it, as http://wiretap/ shows.
import {h} from 'preact';
import {useEffect, useState} from 'preact/hooks';
import {caInfo, rules, stats} from './api.js';
import {size} from './format.js';

const REFRESH_MS = 2000;

function Counters({s}) {
  const reuse = s.upstream.opened + s.upstream.reused === 0 ? '—'
    : Math.round(100 * s.upstream.reused / (s.upstream.opened + s.upstream.reused)) + '% of exchanges';
  const rows = [
    ['Flows', s.flows.seen + ' seen, ' + s.flows.held + ' held, ' + s.flows.evicted + ' let go for room, '
      + s.flows.inFlight + ' in flight, ' + s.flows.paused + ' paused'],
    ['Bytes', size(s.bytes.fromClients) + ' from clients, ' + size(s.bytes.toClients) + ' to clients'],
    ['Client connections', s.clients.accepted + ' accepted, ' + s.clients.open + ' open (at most ' + s.clients.max + ')'
      + (s.clients.refused > 0 ? ', ' + s.clients.refused + ' refused (not in clients.allow)' : '')],
    ['Upstream connections', s.upstream.opened + ' opened, ' + s.upstream.reused + ' reuses, ' + s.upstream.idle + ' idle'],
    ['Pool reuse', reuse],
    ['Flow store', size(s.memory.storeUsed) + ' of a ' + size(s.memory.storeBudget) + ' budget'],
    ['Bodies in flight', size(s.memory.captureInFlight) + ' of a ' + size(s.memory.captureBudget) + ' budget'],
  ];
  return h('table', {class: 'fields counters'}, h('tbody', null, rows.map(([k, v]) =>
    h('tr', {'data-counter': k}, h('th', null, k), h('td', null, v)))));
}

function Rules({r}) {
  return h('div', null,
    h('p', {class: 'note'}, r.configFile ? 'From ' + r.configFile + ', applied again whenever it is saved.'
      : 'wiretap started without a config file; a mock added from here makes one.'),
    r.rules.length === 0 ? h('p', {class: 'note'}, 'No rules are in force.') :
      h('ol', {class: 'rules'}, r.rules.map(rule => h('li', {class: 'rule', 'data-rule': rule.name},
        h('details', null,
          h('summary', null, h('span', {class: 'name'}, rule.name), h('span', {class: 'applied'},
            rule.applied + (rule.applied === 1 ? ' flow' : ' flows')), h('code', {class: 'match'}, rule.match || '(every exchange)')),
          h('pre', {class: 'text yaml'}, rule.yaml))))),
    h('p', {class: 'note'}, 'Counts are of the flows that ended since wiretap started.'));
}

function Ca({ca}) {
  if (!ca.httpsInterception) return h('p', {class: 'note'}, ca.message);
  return h('div', {class: 'ca'},
    h('p', null, ca.intro),
    h('p', {class: 'downloads'}, 'Download: ',
      h('a', {href: ca.downloads.pem, download: 'wiretap-ca.pem', class: 'pem'}, 'wiretap-ca.pem'), ' (PEM, for most tools) · ',
      h('a', {href: ca.downloads.der, download: 'wiretap-ca.cer', class: 'der'}, 'wiretap-ca.cer'), ' (DER, which browsers and phones offer to install)'),
    h('table', {class: 'fields'}, h('tbody', null,
      h('tr', null, h('th', null, 'File'), h('td', null, ca.file)),
      h('tr', null, h('th', null, 'Subject'), h('td', null, ca.subject)),
      h('tr', null, h('th', null, 'Valid until'), h('td', null, ca.validUntil)),
      h('tr', null, h('th', null, 'SHA-256'), h('td', {class: 'fingerprint'}, ca.fingerprint)))),
    ca.clients.map(c => h('details', {class: 'trust'},
      h('summary', null, c.name),
      c.note ? h('p', null, c.note) : null,
      c.commands.map(cmd => h('pre', {class: 'text command'}, cmd)))));
}

/** props: onClose */
export function StatePanel({onClose}) {
  const [s, setStats] = useState(null);
  const [r, setRules] = useState(null);
  const [ca, setCa] = useState(null);
  useEffect(() => {
    let live = true;
    const read = async () => {
      const [st, ru] = await Promise.all([stats(), rules()]);
      if (live) { setStats(st); setRules(ru); }
    };
    read();
    caInfo().then(c => { if (live) setCa(c); });
    const timer = setInterval(read, REFRESH_MS);
    return () => { live = false; clearInterval(timer); };
  }, []);
  return h('aside', {class: 'drawer state-panel'},
    h('div', {class: 'drawer-head'}, h('span', {class: 'title'}, 'Rules and state'),
      h('button', {class: 'close', title: 'Close', onClick: onClose}, '×')),
    h('div', {class: 'drawer-body'},
      h('h3', null, 'Counters'), s && !s.failed ? h(Counters, {s}) : h('p', {class: 'note'}, s ? s.error : 'Loading…'),
      h('h3', null, 'Rules in force'), r && !r.failed ? h(Rules, {r}) : h('p', {class: 'note'}, r ? r.error : 'Loading…'),
      h('h3', null, 'HTTPS: trusting wiretap\'s CA'), ca && !ca.failed ? h(Ca, {ca}) : h('p', {class: 'note'}, ca ? ca.error : 'Loading…')));
}
