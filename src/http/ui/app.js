// The web view of `prova serve` (docs/browse.md "The web view"). Hand-written, no framework, no external resource:
// the gateway serves this file, app.css, the shell (every /ui/... path) and prova.js (the TypeScript package bundled
// for the browser, loaded only by the pages that verify). Pages read the listing API one page at a time (the API's
// cursors travel in the URL, so every page is a link) and the read routes by id; verification runs here, with the
// gateway's JWKS as the trusted keys. Everything shown is set as text (never parsed as HTML).

const PAGE = 20; // items per page of a listing

// ---- DOM helpers ---------------------------------------------------------------------------------------------------

const SVG_NS = 'http://www.w3.org/2000/svg';

/** h('a', {href: '/ui'}, 'text', child, ...): an element; attributes are set as attributes (on: listeners). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const enc = encodeURIComponent;
const link = {
  trace: (id) => h('a', { href: `/ui/traces/${enc(id)}`, class: 'id mono' }, id),
  chain: (id) => h('a', { href: `/ui/chains/${enc(id)}`, class: 'id mono' }, id),
  cert: (id) => h('a', { href: `/ui/certificates/${enc(id)}`, class: 'id mono' }, id),
  log: (i) => h('a', { href: `/ui/log/${i}`, class: 'mono' }, String(i)),
  proof: (id) => h('a', { href: `/ui/proofs/${enc(id)}`, class: 'id mono' }, id),
};
const dash = () => h('span', { class: 'muted' }, '—');
const mono = (t) => h('code', { class: 'id' }, t);
const badge = (text, cls) => h('span', { class: `badge ${cls}` }, text);
const statusBadge = (st) => badge(st || 'unknown',
  st === 'active' || st === 'certified' ? 'ok' : st === 'revoked' ? 'bad' : st === 'superseded' ? 'warn' : 'plain');
const short = (hex, n = 16) => (typeof hex === 'string' && hex.length > n + 3 ? hex.slice(0, n) + '…' : hex);

function table(caption, head, rows) {
  // A region reachable by keyboard: a table wider than the screen scrolls inside it (arrow keys once focused).
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption }, h('table', {},
    h('caption', { class: 'sr-only' }, caption),
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { 'data-label': head[i] }, c))))
      : h('tr', {}, h('td', { colspan: head.length, class: 'muted' }, 'none')))));
}
function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? dash())]));
}
const alert = (msg) => h('p', { role: 'alert' }, msg);

// ---- Fetching ------------------------------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function get(path, as = 'json') {
  const res = await fetch(path, { headers: { accept: as === 'json' ? 'application/json' : 'text/plain' } });
  const text = await res.text();
  if (!res.ok) {
    let code = `http_${res.status}`, message = text.slice(0, 300);
    try { const e = JSON.parse(text).error; code = e.code; message = e.message; } catch { /* not JSON */ }
    throw new HttpError(res.status, code, `${path}: ${res.status} ${code}: ${message}`);
  }
  return as === 'json' ? JSON.parse(text) : text;
}
/** The same, or null on a 404 (a record or a route that is not there). */
async function getOr404(path, as) {
  try { return await get(path, as); } catch (e) { if (e.status === 404) return null; throw e; }
}

let provaModule = null;
let jwksPromise = null;
const loadProva = () => (provaModule ??= import('/ui/assets/prova.js'));
const loadJwks = () => (jwksPromise ??= get('/.well-known/jwks.json', 'text'));

/** The unified report of a document (text), verified here with the gateway's JWKS as the trusted keys. */
async function verifyHere(text, extra = {}) {
  const [prova, jwks] = await Promise.all([loadProva(), loadJwks()]);
  return prova.verify(text, { jwks, ...extra });
}

// ---- Reports -------------------------------------------------------------------------------------------------------

const verdict = (valid) => h('span', { class: `verdict ${valid ? 'ok' : 'bad'}`, 'data-verdict': valid ? 'VALID' : 'INVALID' },
  valid ? 'VALID' : 'INVALID');
const checkBadge = (c) => badge(c.ok ? 'ok' : c.code || 'failed', c.ok ? 'ok' : 'bad');

/** The report check by check, as prova verify --json prints it (the checks in order; failing ones first listed). */
function reportView(report, { open = false } = {}) {
  const failed = report.checks.filter((c) => !c.ok);
  const nb = (t) => h('code', { class: 'nb' }, t); // check names and pointers kept whole (on a wide screen)
  const rows = report.checks.map((c) => [nb(c.check), checkBadge(c), c.at ? nb(c.at) : dash(), c.message || '']);
  return h('section', { class: 'report', 'aria-label': 'Verification report' },
    h('p', {}, verdict(report.valid), ' ',
      h('span', { class: 'muted' }, `${report.kind || 'unknown kind'} · outcome ${report.outcome} · ` +
        `${report.checks.length} checks, ${failed.length} failed`)),
    failed.length ? h('p', { class: 'first-failure' }, 'First failing check: ', mono(failed[0].check), ' (',
      mono(failed[0].code), ')', failed[0].message ? `: ${failed[0].message}` : '') : null,
    report.warnings?.length ? h('ul', {}, report.warnings.map((w) => h('li', {}, badge('warning', 'warn'), ' ',
      mono(w.code || ''), ' ', w.message || ''))) : null,
    h('details', { open: open || failed.length > 0 }, h('summary', {}, 'Checks'),
      table('Checks of the report', ['check', 'result', 'at', 'message'], rows)));
}

// ---- Lineage graphs (inline SVG) -----------------------------------------------------------------------------------

/**
 * A layered graph: columns of nodes left to right, edges between them. nodes: [{id, col, label, sub, kind, href}],
 * edges: [[from, to, cls]]. Every node is a link when it has an href (keyboard-reachable inside the SVG).
 */
function graph(title, nodes, edges) {
  const W = 230, H = 40, GX = 70, GY = 14, PAD = 10, LEFT = 36; // LEFT: room for the arcs between events/hops
  const cols = [];
  for (const n of nodes) (cols[n.col] ??= []).push(n);
  const pos = new Map();
  cols.forEach((col, c) => col.forEach((n, r) => pos.set(n.id, { x: LEFT + c * (W + GX), y: PAD + r * (H + GY) })));
  const width = LEFT + PAD + cols.length * W + (cols.length - 1) * GX;
  const height = PAD * 2 + Math.max(...cols.map((c) => c.length)) * (H + GY) - GY;
  // role group, not img: its nodes may be links (an img's children are presentational).
  const svg = s('svg', { class: 'lineage', viewBox: `0 0 ${width} ${height}`, width, height, role: 'group',
    'aria-labelledby': 'lineage-title' }, s('title', { id: 'lineage-title' }, title));
  svg.append(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#6e7781' }))));
  for (const [a, b, cls] of edges) {
    const p = pos.get(a), q = pos.get(b);
    if (!p || !q) continue;
    let d;
    if (p.x === q.x) { // same column: an arc on the left side
      const x = p.x, y1 = p.y + H / 2, y2 = q.y + H / 2;
      d = `M${x},${y1} C${x - 28},${y1} ${x - 28},${y2} ${x},${y2}`;
    } else {
      const x1 = p.x + W, y1 = p.y + H / 2, x2 = q.x, y2 = q.y + H / 2, mx = (x1 + x2) / 2;
      d = `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
    }
    svg.append(s('path', { class: `edge ${cls || ''}`, d, 'marker-end': 'url(#arrow)', 'data-from': a, 'data-to': b }));
  }
  for (const n of nodes) {
    const { x, y } = pos.get(n.id);
    const g = s('g', { class: `node ${n.kind} ${n.cls || ''}`, 'data-node': n.id, 'data-kind': n.kind },
      s('title', {}, n.title || n.label),
      s('rect', { x, y, width: W, height: H, rx: 6 }),
      s('text', { x: x + 8, y: y + 16 }, n.label),
      n.sub ? s('text', { x: x + 8, y: y + 32 }, n.sub) : null);
    svg.append(n.href ? s('a', { href: n.href }, g) : g); // named by its text (what is visible)
  }
  return h('figure', { class: 'graph' }, svg, h('figcaption', { class: 'muted' }, title));
}

function traceGraph(traceId, hops) {
  const nodes = [], edges = [], cids = new Map();
  hops.forEach((r, i) => {
    const id = `hop:${i}`;
    nodes.push({ id, col: 0, kind: 'hop', label: `hop ${r.hop ?? i}`, sub: short(r.receipt_hash, 24),
      title: `hop ${r.hop ?? i} of ${traceId}: receipt ${r.receipt_hash}` });
    if (i > 0) edges.push([`hop:${i - 1}`, id, 'link']);
    for (const [role, cid] of [['request', r.request_cid], ['normalized', r.normalized_cid]]) {
      if (!cid) continue;
      let c = cids.get(cid);
      if (!c) {
        c = { id: `cid:${cid}`, col: 1, kind: 'cid', label: short(cid, 26), roles: new Set(), hops: [], title: cid };
        cids.set(cid, c);
        nodes.push(c);
      }
      c.roles.add(role);
      if (!c.hops.includes(i)) { c.hops.push(i); edges.push([id, c.id, role]); }
    }
  });
  for (const c of cids.values()) {
    c.sub = `${[...c.roles].map((r) => r.slice(0, 4)).join(' + ')} · hop${c.hops.length > 1 ? 's' : ''} ${c.hops.join(', ')}`;
    c.title = `${c.title} (${c.sub})`;
  }
  return graph(`Lineage of trace ${traceId}: hops and their payload CIDs`, nodes, edges);
}

function chainGraph(chain, cert) {
  const nodes = [], edges = [];
  const events = chain.events || [];
  events.forEach((e, i) => {
    nodes.push({ id: `event:${e.seq}`, col: 0, kind: 'event', label: `#${e.seq} ${e.event_type}`,
      sub: short(e.event_hash, 24), title: `event ${e.seq} ${e.event_type}: ${e.event_hash}` });
    if (i > 0) edges.push([`event:${events[i - 1].seq}`, `event:${e.seq}`, 'link']);
  });
  if (cert) {
    const st = cert.status?.status;
    const cid = `cert:${cert.certificate_id}`;
    nodes.push({ id: cid, col: 1, kind: 'cert', cls: st === 'active' ? '' : 'bad', label: `certificate (${st})`,
      sub: short(cert.certificate_id, 24), title: `certificate ${cert.certificate_id}, ${st}`,
      href: `/ui/certificates/${enc(cert.certificate_id)}` });
    if (events.length) edges.push([`event:${events[events.length - 1].seq}`, cid, 'certified']);
    const next = cert.status?.superseded_by;
    if (next) {
      nodes.push({ id: `cert:${next}`, col: 2, kind: 'cert', label: 'superseded by', sub: short(next, 24),
        title: `certificate ${next}, supersedes ${cert.certificate_id}`, href: `/ui/certificates/${enc(next)}` });
      edges.push([cid, `cert:${next}`, 'link']);
    }
  }
  return graph(`Lineage of chain ${chain.id}: events, certificate, supersession`, nodes, edges);
}

// ---- Pages ---------------------------------------------------------------------------------------------------------

const main = () => document.getElementById('main');
function page(title, ...content) {
  document.title = `${title} · prova`;
  const m = main();
  m.replaceChildren(h('h1', {}, title), ...content);
  for (const a of document.querySelectorAll('.top nav a')) {
    const here = a.getAttribute('href');
    const cur = location.pathname === here || (here === '/ui' && /^\/ui\/(traces|chains|certificates)\b/.test(location.pathname))
      || (here !== '/ui' && location.pathname.startsWith(here + '/'));
    if (cur) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  return m;
}
/** A section filled later: shows "loading", then what fill() returns, or the error. */
function later(label, fill) {
  const sec = h('section', { 'aria-label': label, 'aria-busy': 'true' }, h('p', { class: 'muted' }, `Loading ${label.toLowerCase()}…`));
  Promise.resolve().then(fill).then((nodes) => sec.replaceChildren(...[nodes].flat(Infinity).filter((n) => n != null && n !== false)))
    .catch((e) => sec.replaceChildren(alert(e.message || String(e))))
    .finally(() => sec.setAttribute('aria-busy', 'false'));
  return sec;
}

/** The query string of a listing: the filters of the URL that this listing takes, limit, and its cursor. */
function listQuery(params, names, cursorName) {
  const limit = /^\d{1,3}$/.test(params.get('limit') || '') ? params.get('limit') : String(PAGE);
  const q = new URLSearchParams({ limit });
  for (const n of names) {
    const v = params.get(n);
    if (v) q.set(n, n === 'since' || n === 'until' ? toRfc3339(v) : v);
  }
  const c = params.get(cursorName);
  if (c) q.set('cursor', c);
  return q.toString();
}
/** datetime-local's "2026-12-07T10:00" (local time) or an RFC 3339 time, as RFC 3339 UTC. */
function toRfc3339(v) {
  if (/[zZ]|[+-]\d\d:\d\d$/.test(v)) return v;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString().replace(/\.000Z$/, 'Z');
}
/** Links to the first and the next page of a listing (the cursor in the URL). */
function pager(params, cursorName, next, label) {
  const first = new URLSearchParams(params); first.delete(cursorName);
  const nextQ = new URLSearchParams(params); if (next) nextQ.set(cursorName, next);
  const href = (q) => `${location.pathname}${q.toString() ? '?' + q : ''}`;
  return h('nav', { class: 'pager', 'aria-label': `Pages of ${label}` },
    params.get(cursorName) ? h('a', { href: href(first) }, `First page of ${label}`) : null,
    next ? h('a', { href: href(nextQ), rel: 'next' }, `Next page of ${label} →`) : h('span', { class: 'muted' }, `End of ${label}`));
}

/** The signed note of a checkpoint: origin, size, root hash, and the signature lines (C2SP signed-note). */
function parseNote(note) {
  const cut = note.indexOf('\n\n');
  const body = cut < 0 ? note : note.slice(0, cut + 1);
  const [origin, size, root, ...ext] = body.split('\n');
  const sigs = [];
  for (const line of (cut < 0 ? '' : note.slice(cut + 2)).split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) continue;
    let keyId = '';
    try {
      const raw = atob(m[2]);
      keyId = [...raw.slice(0, 4)].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('');
    } catch { keyId = '?'; }
    sigs.push({ name: m[1], keyId, log: m[1] === origin });
  }
  return { origin, size: Number(size), root, ext: ext.filter(Boolean), sigs };
}

async function pageHome(params) {
  const filters = h('form', { class: 'filters', action: '/ui', method: 'get', role: 'search', 'aria-label': 'Filters' },
    h('label', {}, 'Since (your time)', h('input', { type: 'datetime-local', name: 'since', value: params.get('since') || '' })),
    h('label', {}, 'Until (your time)', h('input', { type: 'datetime-local', name: 'until', value: params.get('until') || '' })),
    h('label', {}, 'Key id (kid)', h('input', { type: 'text', name: 'kid', value: params.get('kid') || '', size: 22 })),
    h('label', {}, 'Payload type', h('input', { type: 'text', name: 'payload_type', value: params.get('payload_type') || '', size: 22 })),
    h('label', {}, 'Chain status', h('select', { name: 'status' },
      ['', 'open', 'resolved', 'certified', 'revoked'].map((v) => h('option', { value: v, selected: params.get('status') === v }, v || 'any')))),
    h('button', { type: 'submit' }, 'Apply'),
    h('a', { href: '/ui', class: 'button secondary' }, 'Clear'));
  page('Browse the gateway',
    later('Log and store', async () => {
      const [health, cp] = await Promise.all([get('/health'), getOr404('/log/checkpoint', 'text')]);
      const st = health.store || {};
      const note = cp ? parseNote(cp) : null;
      return h('div', { class: 'cards' },
        [['traces', st.traces], ['receipts', st.receipts], ['chains', st.chains], ['certificates', st.certificates]]
          .map(([k, v]) => h('div', { class: 'card' }, h('div', { class: 'n', 'data-count': k }, v ?? '—'), k)),
        h('div', { class: 'card' }, h('div', { class: 'n', 'data-count': 'log' }, note ? note.size : '—'),
          h('a', { href: '/ui/log' }, 'log size'), note ? h('div', { class: 'muted mono id' }, short(note.root, 20)) : ' (no checkpoint yet)'));
    }),
    h('h2', {}, 'Filters'), filters,
    h('h2', { id: 'traces' }, 'Traces'),
    later('Traces', async () => {
      const r = await get(`/v1/traces?${listQuery(params, ['since', 'until', 'kid', 'payload_type'], 'tcursor')}`);
      return [table('Traces, the most recently active first', ['trace', 'hops', 'first', 'last', 'keys', 'payload types'],
        r.items.map((t) => [link.trace(t.trace_id), String(t.hops), mono(t.first_at), mono(t.last_at),
          h('span', {}, (t.kids || []).map((k, i) => [i ? ', ' : '', mono(k)])),
          (t.payload_types || []).join(', ')])),
      pager(params, 'tcursor', r.next_cursor, 'traces')];
    }),
    h('h2', { id: 'chains' }, 'OpenExecution chains'),
    later('Chains', async () => {
      const r = await get(`/v1/chains?${listQuery(params, ['since', 'until', 'status'], 'ccursor')}`);
      return [table('Chains, the most recently changed first', ['chain', 'type', 'status', 'events', 'updated', 'certificate'],
        r.items.map((c) => [link.chain(c.chain_id), c.chain_type, statusBadge(c.status), String(c.events),
          mono(c.updated_at), c.certificate_id ? link.cert(c.certificate_id) : dash()])),
      pager(params, 'ccursor', r.next_cursor, 'chains')];
    }),
    h('h2', { id: 'proofs' }, 'Proof records'),
    later('Proof records', async () => {
      const r = await get(`/v1/proofs?${listQuery(params, ['since', 'until'], 'pcursor')}`);
      return [table('Proof records, the most recently stored first', ['proof record', 'stored', 'log index'],
        r.items.map((p) => [link.proof(p.proof_id), mono(p.stored_at), p.log_index != null ? link.log(p.log_index) : dash()])),
      pager(params, 'pcursor', r.next_cursor, 'proof records')];
    }),
    h('h2', { id: 'certificates' }, 'Certificates'),
    later('Certificates', async () => {
      const q = listQuery(params, ['since', 'until'], 'xcursor');
      const r = await get(`/v1/certificates?${q}`);
      return [table('Certificates, the most recently issued first', ['certificate', 'chain', 'status', 'issued', 'superseded by', 'log index'],
        r.items.map((c) => [link.cert(c.certificate_id), link.chain(c.chain_id), statusBadge(c.status), mono(c.issued_at),
          c.superseded_by ? link.cert(c.superseded_by) : dash(), c.log_index != null ? link.log(c.log_index) : dash()])),
      pager(params, 'xcursor', r.next_cursor, 'certificates')];
    }));
}

async function pageTrace(id) {
  page(`Trace ${id}`,
    later('Trace', async () => {
      const [chain, exportText] = await Promise.all([get(`/v1/receipts/hops/chain/${enc(id)}`),
        get(`/v1/receipts/export/${enc(id)}`, 'text')]);
      const hops = chain.hops || [];
      const report = await verifyHere(exportText);
      // The sender's kid, when the receipt carries one (the starter dialect's receipts do not): a column only then.
      const senderKid = (r) => r.sender_kid || r.sender?.kid || null;
      const withSender = hops.some(senderKid);
      const hopOk = (i) => report.checks.filter((c) => c.check.startsWith(`receipt[${i}].`));
      const rows = hops.map((r, i) => {
        const checks = hopOk(i);
        const ok = checks.length > 0 && checks.every((c) => c.ok);
        const failed = checks.filter((c) => !c.ok);
        const prev = i === 0 ? (r.prev_receipt_hash == null ? 'genesis' : 'unexpected')
          : r.prev_receipt_hash === hops[i - 1].receipt_hash ? '← hop ' + (i - 1) : 'BROKEN';
        return [String(r.hop ?? i), mono(r.ts), mono(r.gateway_kid || ''),
          ...(withSender ? [senderKid(r) ? mono(senderKid(r)) : dash()] : []),
          h('span', {}, mono(short(r.request_cid, 22)), h('br'), h('span', { class: 'muted' }, 'normalized '),
            mono(short(r.normalized_cid, 22))),
          h('span', {}, r.prev_receipt_hash ? mono(short(r.prev_receipt_hash)) : dash(), h('br'),
            badge(prev, prev === 'BROKEN' || prev === 'unexpected' ? 'bad' : 'ok')),
          h('span', { 'data-hop-verdict': ok ? 'VALID' : 'INVALID' }, badge(ok ? 'VALID' : 'INVALID', ok ? 'ok' : 'bad'),
            failed.length ? [' ', failed.map((c) => mono(c.check)).join(', ')] : '')];
      });
      return [
        kv([['hops', h('span', { 'data-hops': hops.length }, String(hops.length))],
          ['first', hops[0] ? mono(hops[0].ts) : dash()], ['last', hops.length ? mono(hops[hops.length - 1].ts) : dash()],
          ['export', h('a', { href: `/v1/receipts/export/${enc(id)}`, download: `${id}.bundle.json` }, 'signed bundle (JSON)')]]),
        h('h2', {}, 'Verification of the signed export, in this browser'),
        reportView(report),
        h('h2', {}, 'Hops'),
        table(`Hops of trace ${id}`, ['hop', 'ts', 'gateway kid', ...(withSender ? ['sender kid'] : []), 'payload CIDs', 'prev hash', 'verdict'], rows),
        h('h2', {}, 'Lineage'),
        traceGraph(id, hops),
      ];
    }));
}

/** The certificate of a bundle: fields, status, supersession links, and the bundle's verification here. */
async function certificateSection(bundleText, { withChainLink = true, level = 'h3', logIndex = null } = {}) {
  const b = JSON.parse(bundleText);
  const c = b.certificate || {}, st = b.status || {};
  const report = await verifyHere(bundleText);
  return [
    kv([['certificate', link.cert(b.certificate_id)],
      withChainLink ? ['chain', link.chain(c.chain_id)] : null,
      ['status', h('span', { 'data-status': st.status }, statusBadge(st.status))],
      st.superseded_by ? ['superseded by', link.cert(st.superseded_by)] : null,
      st.supersession_reason ? ['supersession reason', st.supersession_reason] : null,
      st.revocation_reason ? ['revocation reason', st.revocation_reason] : null,
      st.revoked_at ? ['revoked at', mono(st.revoked_at)] : null,
      st.superseded_at ? ['superseded at', mono(st.superseded_at)] : null,
      ['artifact', `${c.artifact_type || ''} ${c.artifact_ref || ''}`],
      c.artifact_title ? ['title', c.artifact_title] : null,
      ['issued at', mono(c.issued_at)], ['events certified', String(c.event_count)],
      logIndex != null ? ['log entry', link.log(logIndex)] : null,
      ['chain hash', mono(c.chain_hash)],
      ['bundle', h('a', { href: `/api/v1/provenance/bundle/${enc(b.certificate_id)}`, download: `${b.certificate_id}.bundle.json` }, 'offline bundle (JSON)')]]),
    h(level, {}, 'Verification of the bundle, in this browser'),
    reportView(report),
  ];
}

async function pageChain(id) {
  page(`Chain ${id}`,
    later('Chain', async () => {
      const chain = (await get(`/api/v1/chains/${enc(id)}`)).data;
      const certs = await get(`/v1/certificates?chain_id=${enc(id)}&limit=5`);
      const certId = certs.items[0]?.certificate_id;
      const bundleText = certId ? await get(`/api/v1/provenance/bundle/${enc(certId)}`, 'text') : null;
      const bundle = bundleText ? JSON.parse(bundleText) : null;
      const events = chain.events || [];
      return [
        kv([['status', h('span', { 'data-status': chain.status }, statusBadge(chain.status))], ['type', chain.chain_type],
          ['origin', `${chain.origin_type || ''} ${chain.origin_id || ''}`], ['events', h('span', { 'data-events': events.length }, String(events.length))],
          ['created', mono(chain.created_at)], ['resolved', chain.resolved_at ? mono(chain.resolved_at) : dash()],
          ['certified', chain.certified_at ? mono(chain.certified_at) : dash()],
          ['chain hash', chain.chain_hash ? mono(chain.chain_hash) : dash()]]),
        h('h2', {}, 'Events'),
        events.length ? h('ol', { class: 'timeline', 'aria-label': 'Events, oldest first' }, events.map((e, i) => h('li', {},
          h('strong', {}, `#${e.seq} ${e.event_type}`), ' ', h('span', { class: 'muted' }, `${e.actor_type || ''} ${e.actor_id || ''}`),
          ' ', mono(e.created_at), h('br'),
          h('span', { class: 'muted' }, 'hash '), mono(short(e.event_hash, 24)), ' ',
          badge(e.prev_hash === (i ? events[i - 1].event_hash : '0'.repeat(64)) ? 'linked' : 'BROKEN link',
            e.prev_hash === (i ? events[i - 1].event_hash : '0'.repeat(64)) ? 'ok' : 'bad'),
          e.payload !== undefined ? h('details', {}, h('summary', {}, 'payload'),
            h('pre', { class: 'note' }, JSON.stringify(e.payload, null, 2))) : null)))
          : h('p', { class: 'muted' }, 'No events.'),
        h('h2', {}, 'Certificate'),
        bundleText ? await certificateSection(bundleText, { withChainLink: false, logIndex: certs.items[0].log_index })
          : h('p', { class: 'muted' }, `No certificate (the chain is ${chain.status}).`),
        h('h2', {}, 'Lineage'),
        chainGraph(chain, bundle),
      ];
    }));
}

async function pageCertificate(id) {
  page(`Certificate ${id}`,
    later('Certificate', async () => {
      const text = await get(`/api/v1/provenance/bundle/${enc(id)}`, 'text');
      const b = JSON.parse(text);
      const listed = await get(`/v1/certificates?chain_id=${enc(b.certificate?.chain_id || '')}&limit=5`);
      const logIndex = listed.items.find((x) => x.certificate_id === id)?.log_index ?? null;
      return [...await certificateSection(text, { level: 'h2', logIndex }), h('h2', {}, 'Lineage'), chainGraph(b.chain || { id: '', events: [] }, b)];
    }));
}

async function pageProof(id) {
  page(`Proof record ${id}`,
    later('Proof record', async () => {
      const text = await get(`/v1/proofs/${enc(id)}`, 'text');
      const p = JSON.parse(text);
      const c = p.claim || {};
      // The gateway stored it because it verified, its HMAC seal under the public default key unless the writer gave
      // another (X-Prova-HMAC-Key, which this page does not have): checked here under the default key.
      const report = await verifyHere(text, { allowDefaultHmacKey: true });
      return [
        kv([['proof id', mono(p.proof_id)], ['statement', c.statement], ['H0', c.h0], ['H1', c.h1],
          ['created', mono(p.identity?.created_at || '')],
          p.verdict ? ['verdict', typeof p.verdict === 'object' ? JSON.stringify(p.verdict) : String(p.verdict)] : null]),
        h('h2', {}, 'Verification, in this browser'),
        h('p', { class: 'muted' }, 'The HMAC seal is checked under Ophamin\'s public default key: a record sealed with a ' +
          'private key fails its signature check here (verify it with the key: prova verify --hmac-key).'),
        reportView(report),
        h('h2', {}, 'Record'), h('details', {}, h('summary', {}, 'JSON'), h('pre', { class: 'note' }, JSON.stringify(p, null, 2))),
      ];
    }));
}

function checkpointView(note, time) {
  const n = parseNote(note);
  return h('article', { class: 'panel', 'data-size': n.size },
    kv([['size', h('strong', {}, String(n.size))], time ? ['time', mono(time)] : null, ['origin', mono(n.origin)],
      ['root hash', mono(n.root)],
      ['signatures', table(`Signatures of the checkpoint of size ${n.size}`, ['name', 'key id', 'role'],
        n.sigs.map((g) => [mono(g.name), mono(g.keyId), g.log ? badge('log', 'plain') : badge('cosignature', 'ok')]))]]),
    h('details', {}, h('summary', {}, 'Signed note'), h('pre', { class: 'note' }, note)));
}

function entryRow(it) {
  const e = it.entry || {};
  const refs = [];
  const walk = (o, depth) => {
    if (!o || typeof o !== 'object' || depth > 3) return;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' && k === 'trace_id') refs.push(['trace', link.trace(v)]);
      else if (typeof v === 'string' && k === 'chain_id') refs.push(['chain', link.chain(v)]);
      else if (typeof v === 'string' && k === 'certificate_id') refs.push(['certificate', link.cert(v)]);
      else walk(v, depth + 1);
    }
  };
  walk(e, 0);
  if (e.family === 'proof' && typeof e.digest === 'string') refs.push(['proof record', link.proof(e.digest.replace(/^sha256:/, ''))]);
  // A prova-log-entry/v1 statement (docs/tlog.md): family + kind, the record's members, its digest.
  const kind = e.family && e.kind ? `${e.family}/${e.kind}` : Object.keys(e).slice(0, 3).join(', ');
  if (e.hop !== undefined) refs.push(['hop', String(e.hop)]);
  if (e.seq !== undefined) refs.push(['seq', String(e.seq)]);
  if (e.status) refs.push(['status', statusBadge(e.status)]);
  return [link.log(it.index), mono(it.sequenced_at || ''), mono(String(kind)),
    refs.length ? h('span', {}, refs.map(([k, a], i) => [i ? ' · ' : '', `${k} `, a])) : dash(),
    h('details', {}, h('summary', {}, 'entry'), h('pre', { class: 'note' }, JSON.stringify(e, null, 2)))];
}

async function pageLog(params) {
  page('Transparency log',
    h('p', {}, 'The gateway\'s C2SP tlog-tiles log: the checkpoints it signed with their cosignatures, and its entries. ',
      h('a', { href: '/log/checkpoint' }, 'checkpoint'), ' · ', h('a', { href: '/log/vkey' }, 'verifier key')),
    h('h2', {}, 'Checkpoints, the newest first'),
    later('Checkpoints', async () => {
      const q = new URLSearchParams({ limit: '10' });
      if (params.get('kcursor')) q.set('cursor', params.get('kcursor'));
      const r = await getOr404(`/v1/log/checkpoints?${q}`);
      if (!r) {
        const cp = await getOr404('/log/checkpoint', 'text');
        return cp ? checkpointView(cp) : h('p', { class: 'muted' }, 'No checkpoint yet.');
      }
      return [r.items.length ? r.items.map((c) => checkpointView(c.note, c.time)) : h('p', { class: 'muted' }, 'No checkpoint yet.'),
        pager(params, 'kcursor', r.next_cursor, 'checkpoints')];
    }),
    h('h2', {}, 'Entries'),
    later('Entries', async () => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (params.get('from')) q.set('from', params.get('from'));
      if (params.get('ecursor')) q.set('cursor', params.get('ecursor'));
      const r = await get(`/v1/log/entries?${q}`);
      const jump = h('form', { class: 'filters', action: '/ui/log', method: 'get', 'aria-label': 'Go to an entry' },
        h('label', {}, 'From index', h('input', { type: 'number', min: 0, name: 'from', value: params.get('from') || '' })),
        h('button', { type: 'submit' }, 'Go'));
      return [h('p', {}, `The log holds ${r.size} entries.`), jump,
        table('Log entries, in index order', ['index', 'sequenced', 'kind', 'records', 'entry'], r.items.map(entryRow)),
        pager(params, 'ecursor', r.next_cursor, 'entries')];
    }));
}

async function pageLogEntry(index) {
  page(`Log entry ${index}`,
    later('Entry', async () => {
      const r = await get(`/v1/log/entries?from=${index}&limit=1`);
      const it = r.items.find((x) => String(x.index) === String(index));
      if (!it) return h('p', { role: 'alert' }, `The log has no entry ${index} (its size is ${r.size}).`);
      const proof = await getOr404(`/log/proof/${index}`, 'text');
      const row = entryRow(it);
      return [kv([['index', String(it.index)], ['sequenced', row[1]], ['kind', row[2]], ['records', row[3]]]),
        h('h2', {}, 'Entry'), h('pre', { class: 'note' }, JSON.stringify(it.entry, null, 2)),
        h('h2', {}, 'Inclusion proof (c2sp.org/tlog-proof)'),
        proof ? h('pre', { class: 'note' }, proof) : h('p', { class: 'muted' }, 'Not in the published checkpoint yet.'),
        h('p', {}, h('a', { href: `/ui/log?from=${index}` }, 'The entries from here'))];
    }));
}

function pageVerify() {
  const out = h('section', { 'aria-live': 'polite', 'aria-label': 'Result', id: 'result' });
  const input = h('input', { type: 'file', id: 'file', accept: '.json,.jsonl,.ndjson,application/json,text/plain' });
  const paste = h('textarea', { id: 'paste', name: 'paste', spellcheck: 'false' });
  const allowDefault = h('input', { type: 'checkbox', id: 'allow-default-hmac' });
  const hmacKey = h('input', { type: 'password', id: 'hmac-key', autocomplete: 'off', size: 30 });
  const options = () => ({ ...(allowDefault.checked ? { allowDefaultHmacKey: true } : {}),
    ...(hmacKey.value.trim() ? { hmacKeyB64: hmacKey.value.trim() } : {}) });
  const run = async (text, name) => {
    out.replaceChildren(h('p', { class: 'muted' }, `Verifying ${name}…`));
    try {
      const report = await verifyHere(text, options());
      out.replaceChildren(h('h2', {}, `Result for ${name}`), reportView(report, { open: true }));
    } catch (e) {
      out.replaceChildren(alert(`Cannot verify ${name}: ${e.message || e}`));
    }
  };
  const readFile = async (f) => run(await f.text(), f.name);
  input.addEventListener('change', () => { if (input.files[0]) readFile(input.files[0]); });
  const drop = h('div', { class: 'drop', id: 'drop' },
    h('p', {}, h('strong', {}, 'Drop a document here')),
    h('p', { class: 'muted' }, 'an envelope, an export bundle, a receipt chain (JSON Lines), an OpenExecution bundle or chain, a proof record, a DSSE envelope'),
    h('p', {}, h('label', { for: 'file' }, 'or choose a file: '), input));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f) readFile(f);
  });
  page('Verify a document',
    h('p', {}, 'The document is verified in this browser by the TypeScript package, with the gateway\'s keys ',
      h('a', { href: '/.well-known/jwks.json' }, '(its JWKS)'), ' as the trusted keys: nothing is uploaded. ',
      'The report is the one ', h('code', {}, 'prova verify --json'), ' prints.'),
    drop,
    h('fieldset', {}, h('legend', {}, 'Proof records (Ophamin): the HMAC seal\'s key'),
      h('p', {}, allowDefault, ' ', h('label', { for: 'allow-default-hmac' }, 'accept the public default key')),
      h('p', {}, h('label', { for: 'hmac-key' }, 'or the key (standard base64, stays in this page): '), hmacKey)),
    h('form', { 'aria-label': 'Paste a document', on: { submit: (e) => { e.preventDefault(); run(paste.value, 'the pasted document'); } } },
      h('p', {}, h('label', { for: 'paste' }, 'Or paste it:')), paste,
      h('p', {}, h('button', { type: 'submit' }, 'Verify'))),
    out);
}

function pageNotFound() {
  page('Not found', h('p', {}, 'No such page of the view. ', h('a', { href: '/ui' }, 'Browse the gateway')));
}

// ---- Routing -------------------------------------------------------------------------------------------------------

function route() {
  const path = location.pathname.replace(/\/+$/, '') || '/ui';
  const params = new URLSearchParams(location.search);
  const seg = path.split('/').slice(2).map((x) => { try { return decodeURIComponent(x); } catch { return x; } });
  if (path === '/ui') return pageHome(params);
  if (seg[0] === 'traces' && seg.length === 2) return pageTrace(seg[1]);
  if (seg[0] === 'chains' && seg.length === 2) return pageChain(seg[1]);
  if (seg[0] === 'certificates' && seg.length === 2) return pageCertificate(seg[1]);
  if (seg[0] === 'proofs' && seg.length === 2) return pageProof(seg[1]);
  if (seg[0] === 'log' && seg.length === 1) return pageLog(params);
  if (seg[0] === 'log' && seg.length === 2 && /^\d+$/.test(seg[1])) return pageLogEntry(seg[1]);
  if (seg[0] === 'verify' && seg.length === 1) return pageVerify();
  return pageNotFound();
}

/** In-view navigation: a click on a link to /ui/... (not to an asset, not a download, no modifier) or a GET form of
 * the view changes the URL and renders without reloading; the back button works (popstate). */
function navigate(url) {
  history.pushState(null, '', url);
  route();
  main().focus({ preventScroll: true });
  window.scrollTo(0, 0);
}
document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[href]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.hasAttribute('download') || a.target) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !/^\/ui(\/|$)/.test(url.pathname) || url.pathname.startsWith('/ui/assets/')) return;
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
  e.preventDefault();
  navigate(url.pathname + url.search);
});
document.addEventListener('submit', (e) => {
  const f = e.target;
  if (e.defaultPrevented || (f.getAttribute('method') || 'get').toLowerCase() !== 'get' || !f.getAttribute('action')) return;
  e.preventDefault();
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(f)) if (v !== '') q.set(k, String(v));
  navigate(f.getAttribute('action') + (q.toString() ? '?' + q : ''));
});
window.addEventListener('popstate', route);
route();
