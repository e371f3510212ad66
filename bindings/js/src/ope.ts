// OPE v1 envelopes (src/lib/ope/envelope.c): pack in the three dialects, verify any of them into the report with
// the C library's check names, codes, pointers and messages.
//
// SPEC (seed 003 §2): signing string "{cid}|{trace_id}|{ts}", Ed25519, base64url without padding. prova's opt-in
// "sig_scope":"envelope" signs the canonical envelope without "sig" instead (docs/ope.md).

import { ProvaError } from './errors.js';
import { fromBase64Url, toBase64Url, toHex, utf8Encode } from './bytes.js';
import { JsonNumber, isJsonObject, parse, CANON_SPANS, type CanonSpans, type Json, type JsonObject } from './json.js';
import { canonicalString, canonicalize, quote } from './canon.js';
import { Report } from './report.js';
import { daysFromCivil, daysInMonth } from './civil.js';
import { Key, KeySet, sha256, hashHexSync } from './crypto.js';

export type Dialect = 'prova' | 'ope-lib' | 'starter';

export interface OpeVerifyOptions {
  /** Trusted keys: a KeySet, or a JWKS (object or JSON text). */
  keys?: KeySet;
  /** Current time in microseconds since the epoch (default: now). */
  nowUs?: number;
  /** Freshness window in seconds (default 300); noSkew disables the check. */
  maxSkewS?: number;
  noSkew?: boolean;
  /** Trust a starter envelope's embedded sender.jwk. */
  trustEmbeddedKey?: boolean;
  /** Internal: canonical texts recorded by the parse of this verification (json.ts CANON_SPANS). */
  [CANON_SPANS]?: CanonSpans;
}

export const DEFAULT_MAX_SKEW_S = 300;

// ---- time (prova_time_parse) ---------------------------------------------------------------------------------

function dig(s: string, pos: number, count: number): number {
  if (pos + count > s.length) return -1;
  let v = 0;
  for (let i = pos; i < pos + count; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** RFC 3339 with an offset, as prova_time_parse: microseconds since the epoch, or null. */
export function parseTime(s: string): number | null {
  const n = s.length;
  const y = dig(s, 0, 4);
  if (y < 0 || n < 19 || s[4] !== '-' || s[7] !== '-' || s[13] !== ':' || s[16] !== ':') return null;
  const mo = dig(s, 5, 2), d = dig(s, 8, 2), h = dig(s, 11, 2), mi = dig(s, 14, 2), se = dig(s, 17, 2);
  const t = s[10];
  if (mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0 || !(t === 'T' || t === 't' || t === ' ')) return null;
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return null;
  let i = 19;
  let frac = 0;
  if (i < n && s[i] === '.') {
    i++;
    const start = i;
    let scale = 100000;
    while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
      if (scale > 0) frac += (s.charCodeAt(i) - 0x30) * scale;
      scale = Math.floor(scale / 10);
      i++;
    }
    if (i === start) return null;
  }
  let off = 0;
  if (i < n && (s[i] === 'Z' || s[i] === 'z')) i++;
  else if (i < n && (s[i] === '+' || s[i] === '-')) {
    const sign = s[i] === '-' ? -1 : 1;
    const oh = dig(s, i + 1, 2);
    let om = 0;
    if (oh < 0) return null;
    i += 3;
    if (i < n && s[i] === ':') {
      om = dig(s, i + 1, 2);
      if (om < 0) return null;
      i += 3;
    } else if (i + 2 <= n && dig(s, i, 2) >= 0) {
      om = dig(s, i, 2);
      i += 2;
    }
    if (oh > 23 || om > 59) return null;
    off = sign * (oh * 3600 + om * 60);
  } else return null;
  if (i !== n) return null;
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
  return secs * 1000000 + frac;
}

// ---- helpers ---------------------------------------------------------------------------------------------------

function get(o: Json | undefined, k: string): Json | undefined {
  if (!isJsonObject(o)) return undefined;
  const v = o[k];
  return v;
}

function isStr(v: Json | undefined): v is string {
  return typeof v === 'string';
}

/** "sha256:<hex>" of bytes. */
export async function cidOfBytes(b: Uint8Array): Promise<string> {
  return 'sha256:' + toHex(await sha256(b));
}

// "sha256:<hex>" of the UTF-8 of a canonical text: at once with node:crypto (no TextEncoder copy, no await), else
// null (then cidOfBytes()).
function cidOfTextSync(text: string): string | null {
  const h = hashHexSync('sha256', text);
  return h === null ? null : 'sha256:' + h;
}

/** "sha256:<hex>" of the ope canonical bytes of value. */
export async function cid(value: unknown): Promise<string> {
  return cidOfBytes(canonicalize(value, 'ope'));
}

/** The cid|trace_id|ts signing string. */
export function signingString(cidStr: string, traceId: string, ts: string): string {
  return cidStr + '|' + traceId + '|' + ts;
}

function toJsonDoc(doc: string | Uint8Array | Json): Json {
  return typeof doc === 'string' || doc instanceof Uint8Array ? parse(doc) : doc;
}

function uuid4(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// ---- pack ------------------------------------------------------------------------------------------------------

export interface PackParams {
  payloadType: string;
  targetType: string;
  /** RFC 3339 with an offset (fixed for tests). */
  ts: string;
  /** Default: a random UUIDv4. */
  traceId?: string;
  notBefore?: string;
  expiresAt?: string;
  dialect?: Dialect;
  /** prova dialect only: sign the whole envelope (sig_scope "envelope"). */
  bind?: boolean;
}

/** Packs payload into a signed envelope; returns its canonical (ope) JSON text. */
export async function packEnvelope(key: Key, payload: unknown, p: PackParams): Promise<string> {
  const dialect = p.dialect ?? 'prova';
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload) || payload instanceof JsonNumber) {
    throw new ProvaError('payload_not_object', 'the payload must be a JSON object');
  }
  if (!p.payloadType || !p.targetType) throw new ProvaError('missing_type', 'payload_type and target_type are required');
  if (dialect !== 'prova' && dialect !== 'ope-lib' && dialect !== 'starter') throw new ProvaError('unknown_dialect', 'unknown envelope dialect');
  if (p.bind && dialect !== 'prova') {
    throw new ProvaError('bind_needs_prova_dialect', 'a bound signature exists only in the prova dialect (the others would not verify it)');
  }
  if (key.alg !== 'ed25519' || !key.isPrivate) throw new ProvaError('key_not_ed25519_private', 'OPE v1 envelopes need an Ed25519 private key');
  if (!p.ts || parseTime(p.ts) === null) throw new ProvaError('ts_invalid', 'ts must be an RFC 3339 timestamp with an offset');
  if ((p.notBefore !== undefined && parseTime(p.notBefore) === null) || (p.expiresAt !== undefined && parseTime(p.expiresAt) === null)) {
    throw new ProvaError('time_invalid', 'not_before/expires_at must be RFC 3339 timestamps');
  }
  const traceId = p.traceId || uuid4();
  const c = await cidOfBytes(utf8Encode(canonicalString(payload, dialect === 'starter' ? 'ophamin' : 'ope')));
  const m: Record<string, unknown> = Object.create(null);
  m['cid'] = c;
  m['payload'] = payload;
  m['payload_type'] = p.payloadType;
  m['target_type'] = p.targetType;
  m['trace_id'] = traceId;
  m['ts'] = p.ts;
  if (p.notBefore !== undefined) m['not_before'] = p.notBefore;
  if (p.expiresAt !== undefined) m['expires_at'] = p.expiresAt;
  let msg: string | Uint8Array = signingString(c, traceId, p.ts);
  if (dialect === 'prova') {
    m['version'] = 1;
    m['kid'] = key.kid;
    m['sig_alg'] = 'ed25519';
    if (p.bind) {
      m['sig_scope'] = 'envelope';
      msg = canonicalize(m, 'ope');
    }
  } else if (dialect === 'ope-lib') {
    m['kid'] = key.kid;
  } else {
    m['sender'] = { jwk: key.toJwk(false), kid: key.kid };
  }
  const sig = toBase64Url(await key.sign(typeof msg === 'string' ? utf8Encode(msg) : msg));
  m[dialect === 'prova' ? 'sig' : dialect === 'ope-lib' ? 'sender_sig' : 'signature'] = sig;
  return canonicalString(m, 'ope');
}

// ---- verify ----------------------------------------------------------------------------------------------------

const SIGNED = new Set(['cid', 'trace_id', 'ts', 'payload', 'sig', 'sender_sig', 'signature']);

function cut(s: string, n: number): string {
  // "%.80s" cuts bytes; strings here are mostly ASCII: cut code points conservatively by bytes
  const b = utf8Encode(s);
  if (b.length <= n) return s;
  let k = n;
  while (k > 0 && (b[k]! & 0xc0) === 0x80) k--;
  // the C library turns a split sequence into '?'
  const head = new TextDecoder().decode(b.subarray(0, k));
  return k < n ? head + '?'.repeat(n - k) : head;
}

export interface EnvelopeInfo {
  cid: string;
  traceId: string;
  ts: string;
  tsUs: number | null;
  kid: string;
  dialect: Dialect;
  bound: boolean;
  signature: string;
}

const keyCache = new WeakMap<object, Map<string, Key>>();

async function embeddedKey(sender: Json | undefined): Promise<Key | null> {
  const jwk = get(sender, 'jwk');
  if (!isJsonObject(jwk)) return null;
  let m = keyCache.get(jwk);
  if (!m) keyCache.set(jwk, (m = new Map()));
  try {
    const text = canonicalString(jwk, 'ope');
    let k = m.get(text);
    if (!k) {
      k = await Key.fromJwk(JSON.parse(text) as never);
      m.set(text, k);
    }
    return k;
  } catch {
    return null;
  }
}

/** Verifies one envelope into r (prova_ope_envelope_verify); returns what the signature covered when it verified. */
export async function verifyEnvelopeInto(env: JsonObject, at: string, o: OpeVerifyOptions, r: Report): Promise<EnvelopeInfo | null> {
  let sigName: string;
  let dialect: Dialect;
  if (env['sig'] !== undefined) [sigName, dialect] = ['sig', 'prova'];
  else if (env['sender_sig'] !== undefined) [sigName, dialect] = ['sender_sig', 'ope-lib'];
  else if (env['signature'] !== undefined || env['sender'] !== undefined) [sigName, dialect] = ['signature', 'starter'];
  else [sigName, dialect] = ['sig', 'prova'];
  const starter = dialect === 'starter';
  const payload = env['payload'];
  const cidv = env['cid'];
  const trace = env['trace_id'];
  const ts = env['ts'];
  const sig = env[sigName];
  const scope = env['sig_scope'];
  const sender = env['sender'];
  const kidv = starter ? get(sender, 'kid') : env['kid'];
  const bound = scope === 'envelope';
  let tsText = '';
  let tsUs: number | null = null;
  let tsOk = false;
  if (typeof ts === 'string') {
    tsText = ts;
    tsUs = parseTime(ts);
    tsOk = true;
  } else if (ts instanceof JsonNumber && ts.isInt) {
    let ms: bigint | null = null;
    try {
      ms = BigInt(ts.token);
    } catch {
      ms = null;
    }
    if (ms !== null && ms >= 0n && ms < 9223372036854775807n / 1000n) {
      tsText = ts.token;
      tsUs = Number(ms) * 1000;
      tsOk = true;
    }
  }
  let bad: string | null = null;
  if (!isJsonObject(payload)) bad = 'payload must be an object';
  else if (!isStr(trace) || trace.length === 0) bad = 'trace_id must be a non-empty string';
  else if (ts === undefined || !tsOk) bad = 'ts must be a string or integer milliseconds';
  else if (cidv !== undefined && !isStr(cidv)) bad = 'cid must be a string';
  else if (!starter && cidv === undefined) bad = 'cid is missing';
  else if (!starter && (!isStr(env['payload_type']) || !isStr(env['target_type']))) bad = 'payload_type and target_type must be strings';
  else if (env['sig_alg'] !== undefined && env['sig_alg'] !== 'ed25519') bad = 'sig_alg must be "ed25519" (the only OPE v1 algorithm)';
  else if (scope !== undefined && !bound) bad = 'sig_scope must be "envelope" when present';
  else if (starter && !isJsonObject(sender)) bad = 'sender must be an object';
  if (bad) {
    r.fail('schema', 'schema_error', at, `${bad} (${dialect} dialect)`);
    return null;
  }
  r.pass('schema', at, `${dialect} envelope with the members a signature needs`);
  // CID
  let mine: string;
  try {
    // well-formed: its UTF-8 is exact
    const text = o[CANON_SPANS]?.get(payload as JsonObject) ?? canonicalString(payload, 'ope');
    mine = cidOfTextSync(text) ?? (await cidOfBytes(utf8Encode(text)));
  } catch (e) {
    const pe = e as ProvaError;
    r.fail('cid', pe.code, at + '/payload', 'the payload cannot be canonicalized: ' + pe.message);
    return null;
  }
  const needAscii = starter && (cidv === undefined || cidv !== mine);
  let ascii = '';
  if (needAscii) {
    try {
      const text = canonicalString(payload, 'ophamin'); // ASCII
      ascii = cidOfTextSync(text) ?? (await cidOfBytes(utf8Encode(text)));
    } catch {
      ascii = '';
    }
  }
  let useCid: string | null = mine;
  if (cidv !== undefined) {
    const eqMine = cidv === mine;
    const eqAscii = needAscii && ascii !== '' && cidv === ascii;
    if (eqMine || eqAscii) {
      useCid = eqMine ? mine : ascii;
      r.pass('cid', at + '/cid', 'cid is the SHA-256 of the canonical payload' + (eqMine ? '' : ' (ASCII-escaped, as the starter gateway hashes it)'));
    } else {
      r.fail('cid', 'cid_mismatch', at + '/cid', `cid ${cut(cidv as string, 80)} does not match the payload, whose cid is ${mine}`);
      useCid = null;
    }
  } else {
    useCid = ascii;
    r.pass('cid', at + '/payload', `no cid sent; computed ${ascii} as the starter does`);
  }
  let info: EnvelopeInfo | null = null;
  if (!isStr(sig) || sig.length === 0 || !isStr(kidv) || kidv.length === 0) {
    r.fail('signature', 'missing_sig_or_kid', at + '/' + sigName, `the envelope has no ${sigName} or no kid`);
  } else {
    const found = o.keys ? o.keys.findWithSource(kidv) : null;
    let key: Key | null = found ? found.key : null;
    let source = found ? found.source : '';
    if (!key && starter && o.trustEmbeddedKey && get(sender, 'jwk') !== undefined) {
      key = await embeddedKey(sender);
      if (key) source = 'embedded (sender.jwk, trusted on request)';
    }
    if (!key) {
      const offered = o.keys ? o.keys.describe() : 'no keys are trusted';
      const hint = starter && get(sender, 'jwk') !== undefined ? ' (sender.jwk is not trusted without --trust-embedded-key)' : '';
      r.fail('signature', 'kid_not_found', starter ? at + '/sender/kid' : at + '/kid', `no trusted key has kid ${cut(kidv, 80)}${hint}; ${offered}`);
    } else if (useCid === null) {
      r.fail('signature', 'cid_mismatch', at + '/' + sigName, 'not checked: the signed cid does not match the payload');
    } else {
      let msg: Uint8Array;
      if (bound) {
        const rest: Record<string, Json> = Object.create(null);
        for (const k of Object.keys(env)) if (k !== 'sig') rest[k] = env[k]!;
        msg = canonicalize(rest, 'ope');
      } else {
        msg = utf8Encode(signingString(useCid, trace as string, tsText));
      }
      let raw: Uint8Array | null = null;
      try {
        raw = fromBase64Url(sig);
      } catch {
        raw = null;
      }
      // at once with node:crypto; verify() (awaited) otherwise
      let ok = raw === null ? false : key.verifySync(msg, raw);
      if (ok === null) ok = await key.verify(msg, raw!);
      if (ok) {
        r.pass('signature', at + '/' + sigName, `Ed25519 signature over ${bound ? 'the whole envelope' : 'cid|trace_id|ts'} verifies with ${kidv}`);
        r.addKey(kidv, source);
        info = { cid: useCid, traceId: trace as string, ts: tsText, tsUs, kid: kidv, dialect, bound, signature: sig };
      } else {
        r.fail('signature', 'signature_invalid', at + '/' + sigName, raw === null ? 'the signature is not base64url' : `the Ed25519 signature does not verify with ${kidv}`);
      }
    }
  }
  // Time
  const skew = o.noSkew ? -1 : o.maxSkewS && o.maxSkewS > 0 ? o.maxSkewS : DEFAULT_MAX_SKEW_S;
  const now = o.nowUs ?? Date.now() * 1000;
  if (tsUs === null && skew >= 0) {
    r.fail('timestamp', 'schema_error', at + '/ts', 'ts is not an RFC 3339 timestamp with an offset, so its freshness cannot be checked');
  } else if (tsUs === null) {
    r.addWarning('timestamp_unparsed', at + '/ts', 'ts is not an RFC 3339 timestamp with an offset');
  } else if (skew >= 0) {
    const d = tsUs - now;
    if (d > skew * 1000000) {
      r.fail('timestamp', 'timestamp_skew', at + '/ts', `ts is ${Math.trunc(d / 1000000)} s in the future (window ${skew} s)`);
    } else {
      r.pass('timestamp', at + '/ts', `ts is not in the future (window ${skew} s)`);
      if (-d > skew * 1000000) r.addWarning('stale_timestamp', at + '/ts', `ts is ${Math.trunc(-d / 1000000)} s in the past (window ${skew} s)`);
    }
  }
  for (const [name, code, after] of [['not_before', 'not_yet_valid', false], ['expires_at', 'expired', true]] as const) {
    const w = env[name];
    if (w === undefined) continue;
    const wt = typeof w === 'string' ? parseTime(w) : null;
    if (wt === null) r.fail(name, 'schema_error', at + '/' + name, `${name} is not an RFC 3339 timestamp with an offset`);
    else if (after ? now >= wt : now < wt) r.fail(name, code, at + '/' + name, `${name} ${cut(w as string, 40)} ${after ? 'has passed' : 'is still ahead'}`);
    else r.pass(name, at + '/' + name, `${name} ${cut(w as string, 40)} holds`);
  }
  let unauth = 0;
  for (const k of sortedMemberNames(env)) {
    if (!bound && !SIGNED.has(k)) {
      r.addUnauthenticated(k);
      unauth++;
    }
  }
  if (unauth) {
    r.addWarning('unauthenticated_fields', at, `${unauth} member(s) are not covered by the signature (OPE v1 signs only cid|trace_id|ts); see unauthenticated_fields`);
  }
  return info;
}

// The C document keeps members in code point order
function sortedMemberNames(o: JsonObject): string[] {
  const keys = Object.keys(o);
  // without a surrogate, code point order is UTF-16 order: the default sort, no comparator calls
  let sur = false;
  for (let i = 0; i < keys.length && !sur; i++) {
    const k = keys[i]!;
    for (let j = 0; j < k.length; j++) {
      const c = k.charCodeAt(j);
      if (c >= 0xd800 && c <= 0xdfff) {
        sur = true;
        break;
      }
    }
  }
  if (!sur) return keys.sort();
  return keys.sort((a, b) => (a === b ? 0 : canonLess(a, b) ? -1 : 1));
}

function canonLess(a: string, b: string): boolean {
  // code point order (quote() keeps it simple: compare code points)
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y;
    if (x > 0xffff) i++;
  }
  return a.length < b.length;
}

// ---- detection (src/lib/ope/verify.c) --------------------------------------------------------------------------

export function isEnvelope(v: Json): boolean {
  return isJsonObject(v) && v['payload'] !== undefined &&
    (v['sig'] !== undefined || v['sender_sig'] !== undefined || v['signature'] !== undefined || v['sender'] !== undefined || v['cid'] !== undefined);
}

export function isReceipt(v: Json): boolean {
  return isJsonObject(v) && v['receipt_hash'] !== undefined && v['trace_id'] !== undefined;
}

export function isBundle(v: Json): boolean {
  if (!isJsonObject(v)) return false;
  const b = v['bundle'];
  return isJsonObject(b) && v['bundle_cid'] !== undefined && Array.isArray(b['receipts']);
}

/** A flat bundle (seed 003 §4): trace_id, exported_at, receipts, bundle_cid, bundle_signature at the top. */
export function isFlatBundle(v: Json): boolean {
  return isJsonObject(v) && v['bundle_cid'] !== undefined && Array.isArray(v['receipts']) && v['bundle'] === undefined;
}

export function isChain(v: Json): boolean {
  return Array.isArray(v) && v.length > 0 && v.every(isReceipt);
}

export function detect(root: Json): boolean {
  return isBundle(root) || isFlatBundle(root) || isEnvelope(root) || isReceipt(root) || isChain(root);
}

/** Verifies any OPE document kind into r (prova__ope_verify_root). */
export async function verifyOpeRoot(root: Json, o: OpeVerifyOptions, r: Report): Promise<void> {
  if (isBundle(root) || isFlatBundle(root)) {
    r.setKind('ope_bundle');
    await verifyBundleInto(root as JsonObject, o, r);
  } else if (isEnvelope(root)) {
    r.setKind('ope_envelope');
    await verifyEnvelopeInto(root as JsonObject, '', o, r);
  } else if (isReceipt(root)) {
    r.setKind('ope_receipt');
    await verifyReceiptInto(root, '', o, r);
  } else if (isChain(root)) {
    r.setKind('ope_receipt_chain');
    await verifyChainInto(root, '', o, r);
  } else {
    r.setOutcome('unknown_kind');
    r.fail('kind', 'schema_error', '', 'not an OPE document: expected an envelope, a receipt, a receipt chain or a bundle');
  }
}

/** Verifies one envelope document; a new report of kind ope_envelope. */
export async function verifyEnvelope(doc: string | Uint8Array | Json, o: OpeVerifyOptions = {}): Promise<Report> {
  const r = new Report('ope_envelope');
  const env = toJsonDoc(doc);
  if (!isJsonObject(env)) {
    r.fail('schema', 'schema_error', '', 'an envelope must be a JSON object');
    return r;
  }
  await verifyEnvelopeInto(env, '', o, r);
  return r;
}


// ---- receipts (src/lib/ope/receipt.c) ---------------------------------------------------------------------------
//
// SPEC (odin.md §3.1, the starter gateway's build_receipt): core = the receipt without receipt_signature and
// receipt_hash; receipt_signature = b64u(Ed25519(canonical(core))); receipt_hash = bare hex SHA-256(canonical(core)).
// Lite receipts (odin.md §3.2): receipt_hash = "sha256:" + hex of the receipt without receipt_hash, no signature, a
// global chain (every hop 0): checked for hash and linkage only.

/** Beyond this many receipts, passing chain checks are counted into one chain.summary check (OPE_CHAIN_DETAIL). */
export const CHAIN_DETAIL = 1000;

const HEX64 = /^[0-9a-f]{64}$/;

function isLowerHex64(s: string): boolean {
  return HEX64.test(s);
}

/** "sha256:" + 64 lowercase hex. */
function isCidText(s: string): boolean {
  return s.length === 71 && s.startsWith('sha256:') && isLowerHex64(s.slice(7));
}

function wellFormed(s: string): boolean {
  return !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));
}

/** The value of an integer member as prova_json_get_int64 reads it (null: not an integer or out of int64 range). */
function int64Of(v: Json | undefined): bigint | null {
  let b: bigint;
  if (v instanceof JsonNumber) {
    if (!v.isInt) return null;
    try {
      b = BigInt(v.token);
    } catch {
      return null;
    }
  } else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'bigint') b = v;
  else return null;
  return b >= -(1n << 63n) && b < 1n << 63n ? b : null;
}

function isInt(v: Json | undefined): boolean {
  return (v instanceof JsonNumber && v.isInt) || (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
}

/** The ope canonical bytes of obj without the named members (prova__canon_without). */
function canonWithout(obj: JsonObject, skip: readonly string[]): Uint8Array {
  const rest: Record<string, Json> = Object.create(null);
  for (const k of Object.keys(obj)) if (!skip.includes(k)) rest[k] = obj[k]!;
  return canonicalize(rest, 'ope');
}

/** The bytes a receipt's hash and signature cover (the builder and the verifier both call this). */
function receiptCoreBytes(rc: JsonObject): Uint8Array {
  return canonWithout(rc, ['receipt_hash', 'receipt_signature']);
}

/** An unsigned lite receipt: receipt_hash "sha256:..." and no receipt_signature (prova__ope_is_lite). */
export function isLiteReceipt(rc: Json | undefined): boolean {
  const h = get(rc, 'receipt_hash');
  return isStr(h) && h.startsWith('sha256:') && get(rc, 'receipt_signature') === undefined;
}

function strSame(a: Json | undefined, b: Json | undefined): boolean {
  return isStr(a) && isStr(b) && a === b;
}

async function signB64(key: Key, msg: Uint8Array): Promise<string> {
  return toBase64Url(await key.sign(msg));
}

/** prova__ope_verify_b64: 'ok', 'syntax' (not base64url) or 'bad'. */
async function verifyB64(key: Key, msg: Uint8Array, sig: string): Promise<'ok' | 'syntax' | 'bad'> {
  let raw: Uint8Array;
  try {
    raw = fromBase64Url(sig);
  } catch {
    return 'syntax';
  }
  if (raw.length > 144) return 'syntax'; // PROVA_SIG_MAX_BYTES: the C decoder's buffer
  if (key.alg !== 'ed25519') return 'bad';
  try {
    return (await key.verify(msg, raw)) ? 'ok' : 'bad';
  } catch {
    return 'bad';
  }
}

function findKey(o: OpeVerifyOptions, kid: string): { key: Key; source: string } | null {
  return o.keys ? o.keys.findWithSource(kid) : null;
}

function describeKeys(o: OpeVerifyOptions): string {
  return o.keys ? o.keys.describe() : 'no keys are trusted';
}

export interface ReceiptParams {
  traceId: string;
  /** RFC 3339 with an offset. */
  ts: string;
  /** Default: ts. */
  createdAt?: string;
  /** "sha256:" + 64 lowercase hex. */
  requestCid: string;
  /** Default: requestCid. */
  normalizedCid?: string;
  /** A JSON object (default {"passed":true,"rules":[]}). */
  policy?: unknown;
}

function isObjectValue(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber) && !(v instanceof Uint8Array);
}

/**
 * Builds the next receipt of a trace, as prova_ope_receipt_build (same bytes: Ed25519 is deterministic): hop =
 * prev ? prev.hop + 1 : 0, prev_receipt_hash = prev ? prev.receipt_hash : null, gateway_kid = the key's kid,
 * policy_engine null. Returns the receipt's canonical (ope) text.
 */
export async function buildReceipt(gw: Key, prev: string | Uint8Array | Json | null | undefined, p: ReceiptParams): Promise<string> {
  if (gw.alg !== 'ed25519' || !gw.isPrivate) throw new ProvaError('key_not_ed25519_private', 'OPE v1 receipts need an Ed25519 private key');
  if (typeof p.traceId !== 'string' || p.traceId === '' || !wellFormed(p.traceId)) {
    throw new ProvaError('trace_id_invalid', 'trace_id must be a non-empty UTF-8 string');
  }
  const createdAt = p.createdAt ?? p.ts;
  if (typeof p.ts !== 'string' || parseTime(p.ts) === null) throw new ProvaError('ts_invalid', 'ts must be an RFC 3339 timestamp with an offset');
  if (typeof createdAt !== 'string' || parseTime(createdAt) === null) {
    throw new ProvaError('created_at_invalid', 'created_at must be an RFC 3339 timestamp with an offset');
  }
  const normalizedCid = p.normalizedCid ?? p.requestCid;
  if (typeof p.requestCid !== 'string' || !isCidText(p.requestCid) || typeof normalizedCid !== 'string' || !isCidText(normalizedCid)) {
    throw new ProvaError('cid_invalid', 'request_cid and normalized_cid must be "sha256:" and 64 lowercase hex digits');
  }
  if (p.policy !== undefined && p.policy !== null && !isObjectValue(p.policy)) throw new ProvaError('policy_invalid', 'policy must be a JSON object');
  let hop = 0n;
  let prevHash: string | null = null;
  if (prev !== undefined && prev !== null) {
    const pv = toJsonDoc(prev);
    const h = get(pv, 'receipt_hash');
    const ph = int64Of(get(pv, 'hop'));
    if (!isJsonObject(pv) || get(pv, 'trace_id') !== p.traceId || !isInt(get(pv, 'hop')) || ph === null || ph < 0n ||
        ph === (1n << 63n) - 1n || !isStr(h) || !isLowerHex64(h)) {
      throw new ProvaError('receipt_prev_invalid', 'prev must be a receipt of the same trace_id with an integer hop and a 64-hex receipt_hash');
    }
    hop = ph + 1n;
    prevHash = h;
  }
  const core: Record<string, unknown> = Object.create(null);
  core['created_at'] = createdAt;
  core['gateway_kid'] = gw.kid;
  core['hop'] = hop;
  core['normalized_cid'] = normalizedCid;
  core['policy'] = p.policy ?? { passed: true, rules: [] };
  core['policy_engine'] = null;
  core['prev_receipt_hash'] = prevHash;
  core['request_cid'] = p.requestCid;
  core['trace_id'] = p.traceId;
  core['ts'] = p.ts;
  // Parsed back, as the C builder does, so the signed bytes come from the verifier's own function.
  const parsed = parse(canonicalString(core, 'ope'), { maxDepth: 100000 }) as JsonObject;
  const signed = receiptCoreBytes(parsed);
  parsed['receipt_hash'] = toHex(await sha256(signed));
  parsed['receipt_signature'] = await signB64(gw, signed);
  return canonicalString(parsed, 'ope');
}

/** "receipt[N]" when the pointer ends in an array index, else "receipt". */
function receiptLabel(at: string): string {
  const i = at.lastIndexOf('/');
  const idx = i >= 0 ? at.slice(i + 1) : '';
  return idx.length > 0 && idx.length < 20 && /^[0-9]+$/.test(idx) ? `receipt[${idx}]` : 'receipt';
}

/** Why a receipt lacks the members its checks need, and which member; null when it has them. */
function receiptSchemaProblem(rc: Json): [string, string] | null {
  if (!isJsonObject(rc)) return ['a receipt must be a JSON object', ''];
  const trace = rc['trace_id'], hopv = rc['hop'], hash = rc['receipt_hash'], sig = rc['receipt_signature'];
  const kid = rc['gateway_kid'], prev = rc['prev_receipt_hash'];
  if (!isStr(trace) || trace.length === 0) return ['trace_id must be a non-empty string', 'trace_id'];
  const hop = isInt(hopv) ? int64Of(hopv) : null;
  if (hop === null || hop < 0n) return ['hop must be an integer >= 0', 'hop'];
  if (!isStr(hash)) return ['receipt_hash must be a string', 'receipt_hash'];
  const prefixed = hash.startsWith('sha256:');
  if (prefixed ? !isCidText(hash) : !isLowerHex64(hash)) {
    return ['receipt_hash must be 64 lowercase hex digits (or "sha256:" and 64 hex digits in a lite receipt)', 'receipt_hash'];
  }
  if (prefixed && sig !== undefined) return ['a signed receipt\'s receipt_hash is bare hex (only unsigned lite receipts use "sha256:")', 'receipt_hash'];
  if (!prefixed) {
    if (!isStr(sig) || sig.length === 0) return ['receipt_signature must be a non-empty string', 'receipt_signature'];
    if (!isStr(kid) || kid.length === 0) return ['gateway_kid must be a non-empty string', 'gateway_kid'];
  }
  if (prev === undefined || !(prev === null || isStr(prev))) return ['prev_receipt_hash must be present, null or a string', 'prev_receipt_hash'];
  for (const m of ['ts', 'created_at', 'request_cid', 'normalized_cid']) {
    const v = rc[m];
    if (v !== undefined && !isStr(v)) return ['ts, created_at, request_cid and normalized_cid must be strings when present', m];
  }
  return null;
}

/** Schema, hash and signature of one receipt (verify_one); true when the schema held (the chain checks can run). */
async function verifyReceiptOne(rc: Json, at: string, o: OpeVerifyOptions, r: Report): Promise<boolean> {
  const label = receiptLabel(at);
  const bad = receiptSchemaProblem(rc);
  if (bad) {
    r.fail(`${label}.schema`, 'schema_error', bad[1] ? `${at}/${bad[1]}` : at, bad[0]);
    return false;
  }
  const obj = rc as JsonObject;
  const lite = isLiteReceipt(obj);
  r.pass(`${label}.schema`, at, `${lite ? 'unsigned lite' : 'signed starter'} receipt with the members its checks need`);
  const hash = obj['receipt_hash'] as string;
  const stated = lite ? hash.slice(7) : hash;
  let core: Uint8Array;
  try {
    core = receiptCoreBytes(obj);
  } catch {
    r.fail(`${label}.hash`, 'schema_error', at, 'the receipt cannot be canonicalized (a number out of range?)');
    return true;
  }
  const mine = toHex(await sha256(core));
  if (mine === stated) {
    r.pass(`${label}.hash`, `${at}/receipt_hash`, `receipt_hash is the SHA-256 of the canonical receipt without ${lite ? 'receipt_hash' : 'receipt_signature and receipt_hash'}`);
  } else {
    r.fail(`${label}.hash`, 'receipt_hash_mismatch', `${at}/receipt_hash`, `receipt_hash ${cut(stated, 64)} does not match the receipt, whose hash is ${mine}`);
  }
  if (lite) {
    r.addWarning('unsigned', at, 'lite receipt: no signature, so only its hash and its linkage are checked (anyone can recompute them)');
    return true;
  }
  const kid = obj['gateway_kid'] as string;
  const sig = obj['receipt_signature'] as string;
  const found = kid.includes('\0') ? null : findKey(o, kid);
  if (!found) {
    r.fail(`${label}.signature`, 'kid_not_found', `${at}/gateway_kid`, `no trusted key has kid ${cut(kid, 80)}; ${describeKeys(o)}`);
    return true;
  }
  const v = await verifyB64(found.key, core, sig);
  if (v === 'ok') {
    r.pass(`${label}.signature`, `${at}/receipt_signature`, `Ed25519 signature over the canonical receipt verifies with ${kid}`);
    r.addKey(kid, found.source);
  } else {
    r.fail(`${label}.signature`, 'receipt_signature_invalid', `${at}/receipt_signature`,
      v === 'syntax' ? 'receipt_signature is not base64url'
        : found.key.alg !== 'ed25519' ? `the key ${cut(kid, 80)} is not an Ed25519 key`
          : `the Ed25519 signature does not verify with ${cut(kid, 80)}`);
  }
  return true;
}

/** Verifies one receipt into r (prova__ope_verify_receipt); at is the pointer prefix ("" for a root receipt). */
export async function verifyReceiptInto(rc: Json, at: string, o: OpeVerifyOptions, r: Report): Promise<void> {
  await verifyReceiptOne(rc, at, o, r);
}

/** A receipt chain checked one receipt at a time (ope_chain): what the next receipt is compared with. */
export class ReceiptChain {
  count = 0;
  lite = false;
  private trace0: string | null = null;
  private prev: string | null = null;

  /** Checks the next receipt (position count) of the chain at pointer prefix at (prova__ope_chain_step). */
  async step(rc: Json, at: string, o: OpeVerifyOptions, r: Report): Promise<void> {
    const i = this.count++;
    const rat = `${at}/${i}`;
    const label = receiptLabel(rat);
    if (i === 0) {
      // A chain is lite (global, unsigned) or signed (per trace) as a whole, judged from its first receipt.
      this.lite = isLiteReceipt(rc);
      const t = get(rc, 'trace_id');
      this.trace0 = isStr(t) ? t : null;
    }
    let schemaOk = await verifyReceiptOne(rc, rat, o, r);
    const hash = get(rc, 'receipt_hash');
    if (schemaOk && isLiteReceipt(rc) !== this.lite) {
      r.fail(`${label}.schema`, 'schema_error', `${rat}/receipt_hash`, 'the chain mixes unsigned lite receipts and signed receipts');
      schemaOk = false;
    }
    if (schemaOk) {
      const obj = rc as JsonObject;
      const trace = obj['trace_id'] as string;
      if (!this.lite && i > 0) {
        if (this.trace0 !== null && trace === this.trace0) r.pass(`${label}.trace`, `${rat}/trace_id`, 'same trace_id as receipt 0');
        else r.fail(`${label}.trace`, 'chain_broken', `${rat}/trace_id`, `trace_id ${cut(trace, 80)} differs from the chain's ${cut(this.trace0 ?? '(none)', 80)}`);
      }
      if (!this.lite) {
        const hop = int64Of(obj['hop']) ?? -1n;
        if (hop === BigInt(i)) r.pass(`${label}.hop`, `${rat}/hop`, `hop is ${i}`);
        else r.fail(`${label}.hop`, 'hop_mismatch', `${rat}/hop`, `hop is ${hop} at position ${i} (a receipt dropped, duplicated or reordered?)`);
      }
      const prev = obj['prev_receipt_hash'];
      if (i === 0) {
        // ope-lib accepts "" for the first receipt's prev_receipt_hash (odin.md §4.1).
        if (prev === null || prev === '') r.pass(`${label}.link`, `${rat}/prev_receipt_hash`, 'the first receipt has no predecessor');
        else r.fail(`${label}.link`, 'chain_broken', `${rat}/prev_receipt_hash`, `the first receipt links to ${cut(isStr(prev) ? prev : '?', 80)}: receipts before it are missing`);
      } else if (isStr(prev) && this.prev !== null && prev === this.prev) {
        r.pass(`${label}.link`, `${rat}/prev_receipt_hash`, `prev_receipt_hash is receipt ${i - 1}'s receipt_hash`);
      } else {
        r.fail(`${label}.link`, 'chain_broken', `${rat}/prev_receipt_hash`,
          `prev_receipt_hash ${cut(isStr(prev) ? prev : 'null', 80)} is not receipt ${i - 1}'s receipt_hash ${cut(this.prev ?? '(none)', 80)}`);
      }
    }
    // The next receipt must link to this one's hash, whatever else was wrong with this one.
    this.prev = isStr(hash) ? hash : null;
  }

  /** The summary check of a chain longer than CHAIN_DETAIL (prova__ope_chain_summary). */
  summary(r: Report): void {
    r.pass('chain.summary', '', `${this.count} receipts: beyond the first ${CHAIN_DETAIL}, the ${r.quietPassed} checks that passed are counted here, not listed (failures are always listed)`);
  }
}

/** Verifies a receipt chain (a JSON array) into r, link by link (prova__ope_verify_chain). */
export async function verifyChainInto(receipts: Json, at: string, o: OpeVerifyOptions, r: Report): Promise<void> {
  if (!Array.isArray(receipts) || receipts.length === 0) {
    r.fail('chain.schema', 'schema_error', at, 'a receipt chain must be a non-empty array');
    return;
  }
  const c = new ReceiptChain();
  try {
    for (let i = 0; i < receipts.length; i++) {
      if (i === CHAIN_DETAIL) r.quiet = true;
      await c.step(receipts[i]!, at, o, r);
    }
  } finally {
    r.quiet = false;
  }
  if (receipts.length > CHAIN_DETAIL) c.summary(r);
}

/**
 * JSON Lines: one receipt per non-empty line, verified as one chain a line at a time (prova__ope_verify_jsonl, one
 * thread). Sets the kind. Returns normally when every line parsed; a line that does not parse adds a "parse" check
 * (when nothing failed before it) and throws its ProvaError (line, column and offset in the whole text).
 */
export async function verifyOpeLines(text: string | Uint8Array, o: OpeVerifyOptions, r: Report): Promise<void> {
  r.setKind('ope_receipt_chain');
  const data = typeof text === 'string' ? utf8Encode(text) : text;
  const c = new ReceiptChain();
  const MAX_LINE = 256 * 1024 * 1024; // PROVA_DEFAULT_MAX_SIZE
  let pos = 0;
  let line = 0;
  const blank = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d;
  try {
    if (c.count >= CHAIN_DETAIL) r.quiet = true;
    while (pos < data.length) {
      let nl = data.indexOf(0x0a, pos);
      if (nl < 0) nl = data.length;
      const start = pos;
      pos = nl + 1;
      line++;
      if (nl - start > MAX_LINE) {
        throw lineError(r, new ProvaError('jsonl_line_limit', 'a line is longer than the configured limit', { offset: start, line, column: 1 }));
      }
      let a = start, b = nl;
      while (a < b && blank(data[a]!)) a++;
      while (b > a && blank(data[b - 1]!)) b--;
      if (a === b) continue;
      let one: Json;
      try {
        one = parse(data.subarray(a, b));
      } catch (e) {
        if (!(e instanceof ProvaError)) throw e;
        e.offset = (e.offset ?? 0) + a;
        e.line = line;
        throw lineError(r, e);
      }
      if (!isReceipt(one)) {
        r.fail('chain.schema', 'schema_error', `/${c.count}`, `line ${line} is not a receipt: JSON Lines input must be a receipt chain`);
        c.count++;
      } else {
        if (c.count === CHAIN_DETAIL) r.quiet = true;
        await c.step(one, '', o, r);
      }
    }
  } finally {
    r.quiet = false;
  }
  if (c.count === 0) r.fail('chain.schema', 'schema_error', '', 'no receipts in the input');
  if (c.count > CHAIN_DETAIL) c.summary(r);
}

function lineError(r: Report, e: ProvaError): ProvaError {
  r.quiet = false;
  if (!r.firstFailure()) r.fail('parse', e.code, e.pointer ?? '', `${e.message} at line ${e.line ?? 1}, column ${e.column ?? 1}`);
  return e;
}

// ---- bundles (src/lib/ope/bundle.c) -----------------------------------------------------------------------------
//
// Three forms, all signed with Ed25519 over "{bundle_cid}|{trace_id}|{exported_at}" (docs/ope.md):
//   starter  {"bundle":{trace_id,exported_at,gateway_kid,receipts,chain_valid,count},"bundle_cid","bundle_signature"}
//   ope-lib  {"bundle":{trace_id,exported_at,receipts},"bundle_cid","kid","signature"}
//   flat     {trace_id,exported_at,kid,receipts,bundle_cid,bundle_signature} (seed 003 §4; bundle_cid under several
//            variants when verifying, prova's "without_cid" when building)

export type BundleForm = 'starter' | 'ope-lib' | 'flat';

/** The starter gateway's chain_valid: every receipt after the first links to the one before (absent == null). */
function starterChainValid(receipts: Json[]): boolean {
  for (let i = 1; i < receipts.length; i++) {
    const prev = get(receipts[i], 'prev_receipt_hash');
    const before = get(receipts[i - 1], 'receipt_hash');
    if ((prev === undefined || prev === null) && (before === undefined || before === null)) continue;
    if (!strSame(prev, before)) return false;
  }
  return true;
}

/**
 * Exports one trace's receipts (a JSON array, in hop order) as a signed bundle, as prova_ope_bundle_build (same
 * bytes). Returns the bundle's canonical (ope) text.
 */
export async function buildBundle(gw: Key, traceId: string, exportedAt: string, receipts: string | Uint8Array | Json, form: BundleForm = 'starter'): Promise<string> {
  if (form !== 'starter' && form !== 'ope-lib' && form !== 'flat') throw new ProvaError('unknown_bundle_form', 'unknown bundle form');
  if (gw.alg !== 'ed25519' || !gw.isPrivate) throw new ProvaError('key_not_ed25519_private', 'OPE v1 bundles need an Ed25519 private key');
  if (typeof traceId !== 'string' || traceId === '' || !wellFormed(traceId)) throw new ProvaError('trace_id_invalid', 'trace_id must be a non-empty UTF-8 string');
  if (typeof exportedAt !== 'string' || parseTime(exportedAt) === null) {
    throw new ProvaError('exported_at_invalid', 'exported_at must be an RFC 3339 timestamp with an offset');
  }
  const list = toJsonDoc(receipts);
  if (!Array.isArray(list) || list.length === 0) throw new ProvaError('bundle_receipts_invalid', 'receipts must be a non-empty JSON array');
  for (const rc of list) {
    if (!isJsonObject(rc)) throw new ProvaError('bundle_receipts_invalid', 'every receipt must be a JSON object');
    // One trace per bundle; lite receipts are exempt (their chain runs across traces).
    const rt = rc['trace_id'];
    if (rt !== undefined && !isLiteReceipt(rc) && rt !== traceId) {
      throw new ProvaError('bundle_receipt_trace_mismatch', 'a receipt belongs to another trace than the bundle');
    }
  }
  const inner: Record<string, unknown> = Object.create(null);
  if (form === 'starter') {
    inner['chain_valid'] = starterChainValid(list);
    inner['count'] = list.length;
    inner['gateway_kid'] = gw.kid;
  }
  inner['exported_at'] = exportedAt;
  if (form === 'flat') inner['kid'] = gw.kid; // inside what bundle_cid covers: authenticated
  inner['receipts'] = list;
  inner['trace_id'] = traceId;
  const innerText = canonicalString(inner, 'ope');
  const bcid = await cidOfBytes(canonicalize(parse(innerText, { maxDepth: 100000 }), 'ope'));
  const sig = await signB64(gw, utf8Encode(signingString(bcid, traceId, exportedAt)));
  const outer: Record<string, unknown> = Object.create(null);
  if (form === 'flat') {
    Object.assign(outer, inner);
    outer['bundle_cid'] = bcid;
    outer['bundle_signature'] = sig;
  } else {
    outer['bundle'] = inner;
    outer['bundle_cid'] = bcid;
    if (form === 'starter') outer['bundle_signature'] = sig;
    else {
      outer['kid'] = gw.kid;
      outer['signature'] = sig;
    }
  }
  return canonicalString(outer, 'ope');
}

/** An ope-lib ReceiptModel {hop, receipt_hash, prev_receipt_hash}: nothing in it can be recomputed. */
function isOpaqueReceipt(rc: Json): boolean {
  return isJsonObject(rc) && rc['receipt_signature'] === undefined && rc['gateway_kid'] === undefined && !isLiteReceipt(rc);
}

/** What ope-lib's verify_bundle_or_raise checks of receipts: members present, hop == index, linkage. */
function verifyOpaqueChain(receipts: Json[], prefix: string, r: Report): void {
  for (let i = 0; i < receipts.length; i++) {
    const rc = receipts[i];
    const at = `${prefix}/${i}`;
    const hopv = get(rc, 'hop'), hash = get(rc, 'receipt_hash'), prev = get(rc, 'prev_receipt_hash');
    if (hopv === undefined || !isStr(hash) || prev === undefined || !(prev === null || isStr(prev))) {
      r.fail(`receipt[${i}].schema`, 'schema_error', at, 'a receipt needs hop, receipt_hash (a string) and prev_receipt_hash (null or a string)');
      continue;
    }
    r.pass(`receipt[${i}].schema`, at, 'ope-lib receipt (opaque hashes)');
    const hop = isInt(hopv) ? int64Of(hopv) : null;
    if (hop !== null && hop === BigInt(i)) r.pass(`receipt[${i}].hop`, `${at}/hop`, `hop is ${i}`);
    else r.fail(`receipt[${i}].hop`, 'hop_mismatch', `${at}/hop`, `hop is not ${i} (a receipt dropped, duplicated or reordered?)`);
    const ok = i === 0 ? prev === null || prev === '' : strSame(prev, get(receipts[i - 1], 'receipt_hash'));
    if (ok) r.pass(`receipt[${i}].link`, `${at}/prev_receipt_hash`, i === 0 ? 'the first receipt has no predecessor' : 'prev_receipt_hash is the previous receipt_hash');
    else r.fail(`receipt[${i}].link`, 'chain_broken', `${at}/prev_receipt_hash`, i === 0 ? 'the first receipt links to a predecessor that is missing' : "prev_receipt_hash is not the previous receipt's receipt_hash");
  }
}

/** The receipts of a bundle whose members sit under base ("/bundle", or "" for the flat form). */
async function verifyBundleReceipts(receipts: Json[], trace: string, base: string, allowOpaque: boolean, o: OpeVerifyOptions, r: Report): Promise<void> {
  const at = `${base}/receipts`;
  if (allowOpaque && receipts.every(isOpaqueReceipt)) {
    verifyOpaqueChain(receipts, at, r);
    r.addWarning('receipt_hashes_opaque', at, 'ope-lib receipts: hashes are opaque strings, so only hop order and linkage were checked (the bundle signature covers them)');
    return;
  }
  await verifyChainInto(receipts, at, o, r);
  // The receipts belong to the bundle's trace (lite chains run across traces and are exempt).
  const first = receipts[0];
  const rt = get(first, 'trace_id');
  if (!isLiteReceipt(first) && isStr(rt)) {
    if (rt === trace) r.pass('bundle.trace', `${base}/trace_id`, "the receipts belong to the bundle's trace");
    else r.fail('bundle.trace', 'chain_broken', `${base}/receipts/0/trace_id`, `the receipts belong to trace ${cut(rt, 80)}, the bundle to ${cut(trace, 80)}`);
  }
}

function nestedSchemaProblem(doc: JsonObject, starter: boolean): [string, string] | null {
  const bundle = doc['bundle'];
  const trace = get(bundle, 'trace_id'), receipts = get(bundle, 'receipts');
  const sig = doc[starter ? 'bundle_signature' : 'signature'];
  const kid = starter ? get(bundle, 'gateway_kid') : doc['kid'];
  if (sig === undefined) return ['no bundle_signature (starter) or signature (ope-lib) member', ''];
  if (!isJsonObject(bundle)) return ['bundle must be an object', '/bundle'];
  if (!isStr(trace) || trace.length === 0) return ['bundle.trace_id must be a non-empty string', '/bundle/trace_id'];
  if (!isStr(get(bundle, 'exported_at'))) return ['bundle.exported_at must be a string', '/bundle/exported_at'];
  if (!Array.isArray(receipts) || receipts.length === 0) return ['bundle.receipts must be a non-empty array', '/bundle/receipts'];
  if (!isStr(doc['bundle_cid'])) return ['bundle_cid must be a string', '/bundle_cid'];
  if (!isStr(sig) || sig.length === 0) return ['the signature must be a non-empty string', starter ? '/bundle_signature' : '/signature'];
  const kidAt = starter ? '/bundle/gateway_kid' : '/kid';
  if (starter && kid === undefined) return ['bundle.gateway_kid is missing', kidAt];
  if (kid !== undefined && (!isStr(kid) || kid.length === 0)) return ['the kid must be a non-empty string', kidAt];
  if (!starter) return null; // an absent kid is reported by the signature check
  if (typeof get(bundle, 'chain_valid') !== 'boolean') return ['bundle.chain_valid must be a boolean', '/bundle/chain_valid'];
  if (!isInt(get(bundle, 'count'))) return ['bundle.count must be an integer', '/bundle/count'];
  return null;
}

interface FlatVariant {
  name: string;
  what: string;
  pending: boolean;
  kid: boolean;
  receiptsOnly: boolean;
}

/** What a peer may have hashed into a flat bundle's bundle_cid; the first is prova's. Names are stable. */
const FLAT_VARIANTS: readonly FlatVariant[] = [
  { name: 'without_cid', what: 'the bundle without bundle_signature and bundle_cid', pending: false, kid: true, receiptsOnly: false },
  { name: 'without_cid_and_kid', what: 'the bundle without bundle_signature, bundle_cid and kid', pending: false, kid: false, receiptsOnly: false },
  { name: 'pending_cid', what: 'the bundle without bundle_signature, with "bundle_cid":"PENDING"', pending: true, kid: true, receiptsOnly: false },
  { name: 'pending_cid_without_kid', what: 'the bundle without bundle_signature and kid, with "bundle_cid":"PENDING"', pending: true, kid: false, receiptsOnly: false },
  { name: 'receipts_only', what: 'the receipts array alone', pending: false, kid: false, receiptsOnly: true },
];

async function flatCid(doc: JsonObject, f: FlatVariant): Promise<string> {
  if (f.receiptsOnly) return cid(doc['receipts']);
  const m: Record<string, Json> = Object.create(null);
  for (const k of Object.keys(doc)) {
    if (k === 'bundle_signature' || (k === 'bundle_cid' && !f.pending) || (!f.kid && k === 'kid')) continue;
    m[k] = k === 'bundle_cid' ? 'PENDING' : doc[k]!;
  }
  return cid(m);
}

function flatSchemaProblem(doc: JsonObject): [string, string] | null {
  const trace = doc['trace_id'], receipts = doc['receipts'], sig = doc['bundle_signature'], kid = doc['kid'];
  if (!isStr(trace) || trace.length === 0) return ['trace_id must be a non-empty string', '/trace_id'];
  if (!isStr(doc['exported_at'])) return ['exported_at must be a string', '/exported_at'];
  if (!Array.isArray(receipts) || receipts.length === 0) return ['receipts must be a non-empty array', '/receipts'];
  if (!isStr(doc['bundle_cid'])) return ['bundle_cid must be a string', '/bundle_cid'];
  if (!isStr(sig) || sig.length === 0) return ['bundle_signature must be a non-empty string', '/bundle_signature'];
  if (kid !== undefined && (!isStr(kid) || kid.length === 0 || kid.includes('\0'))) return ['kid must be a non-empty string', '/kid'];
  return null;
}

async function flatSignature(doc: JsonObject, o: OpeVerifyOptions, r: Report): Promise<void> {
  const msg = utf8Encode(signingString(doc['bundle_cid'] as string, doc['trace_id'] as string, doc['exported_at'] as string));
  const sig = doc['bundle_signature'] as string;
  const kid = doc['kid'] as string | undefined;
  let found: { key: Key; source: string } | null = null;
  let v: 'ok' | 'syntax' | 'bad' = 'bad';
  let tried = 0;
  if (kid !== undefined) {
    found = findKey(o, kid);
    if (found) v = await verifyB64(found.key, msg, sig);
  } else if (o.keys) {
    for (const e of o.keys.entries()) {
      if (v === 'ok' || v === 'syntax') break;
      if (e.key.alg !== 'ed25519') continue;
      tried++;
      v = await verifyB64(e.key, msg, sig);
      if (v === 'ok') found = e;
    }
  }
  const at = '/bundle_signature';
  if (kid !== undefined && !found) {
    r.fail('bundle.signature', 'kid_not_found', '/kid', `no trusted key has kid ${cut(kid, 80)}`);
  } else if (kid === undefined && !tried && v !== 'ok') {
    r.fail('bundle.signature', 'kid_not_found', '', 'the bundle names no kid and no trusted Ed25519 key was given');
  } else if (v === 'syntax') {
    r.fail('bundle.signature', 'bundle_signature_invalid', at, 'the signature is not base64url');
  } else if (v !== 'ok') {
    r.fail('bundle.signature', 'bundle_signature_invalid', at, kid !== undefined
      ? `the Ed25519 signature does not verify with ${cut(kid, 80)}`
      : `the Ed25519 signature verifies with none of the ${tried} trusted keys (the bundle names no kid)`);
  } else {
    const name = found!.key.kid;
    r.pass('bundle.signature', at, `Ed25519 signature over bundle_cid|trace_id|exported_at verifies with ${cut(name, 80)}${kid !== undefined ? '' : ' (the bundle names no kid: found among the trusted keys)'}`);
    r.addKey(name, found!.source);
  }
}

async function verifyFlat(doc: JsonObject, o: OpeVerifyOptions, r: Report): Promise<void> {
  const bad = flatSchemaProblem(doc);
  if (bad) {
    r.fail('bundle.schema', 'schema_error', bad[1], `${bad[0]} (flat form)`);
    return;
  }
  r.pass('bundle.schema', '', 'flat export bundle (seed 003, section 4)');
  const cidv = doc['bundle_cid'] as string;
  const hasKid = doc['kid'] !== undefined;
  let matched: FlatVariant | null = null;
  let firstCid = '';
  for (const f of FLAT_VARIANTS) {
    if (!hasKid && !f.kid && !f.receiptsOnly) continue; // the same bytes as the variant before
    let c: string;
    try {
      c = await flatCid(doc, f);
    } catch {
      r.fail('bundle.cid', 'schema_error', '', 'the bundle cannot be canonicalized');
      break;
    }
    if (!firstCid) firstCid = c;
    if (c === cidv) {
      matched = f;
      break;
    }
  }
  if (matched) r.pass('bundle.cid', '/bundle_cid', `bundle_cid is the CID of ${matched.what} (cid variant ${matched.name})`);
  else if (firstCid) {
    r.fail('bundle.cid', 'bundle_cid_mismatch', '/bundle_cid',
      `bundle_cid ${cut(cidv, 80)} matches no variant of the bundle (${firstCid} is the CID of ${FLAT_VARIANTS[0]!.what}; the variants without kid, with "bundle_cid":"PENDING" and of the receipts alone were tried too)`);
  }
  await flatSignature(doc, o, r);
  await verifyBundleReceipts(doc['receipts'] as Json[], doc['trace_id'] as string, '', true, o, r);
  // Members neither in the cid (as the matched variant hashed it; prova's variant when none matched) nor signed.
  const f = matched ?? FLAT_VARIANTS[0]!;
  let unauth = 0;
  for (const k of sortedMemberNames(doc)) {
    if (k === 'bundle_cid' || k === 'bundle_signature' || k === 'trace_id' || k === 'exported_at' || k === 'receipts') continue;
    if (!f.receiptsOnly && (f.kid || k !== 'kid')) continue;
    r.addUnauthenticated(k);
    unauth++;
  }
  if (unauth) {
    r.addWarning('unauthenticated_fields', '', `${unauth} member(s) of the bundle are neither in what bundle_cid covers (cid variant ${f.name}) nor in the signed string; see unauthenticated_fields`);
  }
}

/** Verifies any bundle form into r (prova__ope_verify_bundle). */
export async function verifyBundleInto(doc: JsonObject, o: OpeVerifyOptions, r: Report): Promise<void> {
  if (isFlatBundle(doc)) return verifyFlat(doc, o, r);
  const starter = doc['bundle_signature'] !== undefined;
  const sigName = starter ? 'bundle_signature' : 'signature';
  const form = starter ? 'starter' : 'ope-lib';
  const bad = nestedSchemaProblem(doc, starter);
  if (bad) {
    r.fail('bundle.schema', 'schema_error', bad[1], `${bad[0]} (${form} form)`);
    return;
  }
  r.pass('bundle.schema', '', `${form} export bundle with the members its checks need`);
  const bundle = doc['bundle'] as JsonObject;
  const cidv = doc['bundle_cid'] as string;
  const sig = doc[sigName] as string;
  const trace = bundle['trace_id'] as string;
  const exported = bundle['exported_at'] as string;
  const receipts = bundle['receipts'] as Json[];
  const kid = (starter ? bundle['gateway_kid'] : doc['kid']) as string | undefined;
  const kidAt = starter ? '/bundle/gateway_kid' : '/kid';
  // bundle_cid over the inner bundle object
  let mine: string | null = null;
  try {
    mine = await cid(bundle);
  } catch (e) {
    r.fail('bundle.cid', 'schema_error', '/bundle', `the bundle cannot be canonicalized: ${(e as Error).message || 'error'}`);
  }
  if (mine !== null) {
    if (cidv === mine) r.pass('bundle.cid', '/bundle_cid', 'bundle_cid is the CID of the canonical bundle');
    else r.fail('bundle.cid', 'bundle_cid_mismatch', '/bundle_cid', `bundle_cid ${cut(cidv, 80)} does not match the bundle, whose CID is ${mine}`);
  }
  // signature over "{bundle_cid}|{trace_id}|{exported_at}" as stated
  const found = kid !== undefined && !kid.includes('\0') ? findKey(o, kid) : null;
  if (!found) {
    r.fail('bundle.signature', 'kid_not_found', kidAt,
      `no trusted key has kid ${kid !== undefined ? cut(kid, 80) : '(none: an ope-lib bundle needs a "kid" beside its signature)'}; ${describeKeys(o)}`);
  } else {
    const v = await verifyB64(found.key, utf8Encode(signingString(cidv, trace, exported)), sig);
    if (v === 'ok') {
      r.pass('bundle.signature', `/${sigName}`, `Ed25519 signature over bundle_cid|trace_id|exported_at verifies with ${cut(kid!, 80)}`);
      r.addKey(kid!, found.source);
    } else {
      r.fail('bundle.signature', 'bundle_signature_invalid', `/${sigName}`,
        v === 'syntax' ? 'the signature is not base64url' : `the Ed25519 signature does not verify with ${cut(kid!, 80)}`);
    }
  }
  await verifyBundleReceipts(receipts, trace, '/bundle', !starter, o, r);
  if (starter) {
    const count = int64Of(bundle['count']);
    if (count !== null && count === BigInt(receipts.length)) r.pass('bundle.count', '/bundle/count', `count is ${receipts.length}`);
    else r.fail('bundle.count', 'schema_error', '/bundle/count', `count is not the number of receipts (${receipts.length})`);
    const stated = bundle['chain_valid'] === true;
    if (stated && starterChainValid(receipts)) r.pass('bundle.chain_valid', '/bundle/chain_valid', 'chain_valid is true and the linkage agrees');
    else r.fail('bundle.chain_valid', 'chain_broken', '/bundle/chain_valid', stated ? 'chain_valid is true but the receipts do not link' : 'the exporter reported a broken chain (chain_valid false)');
  }
  // members outside what bundle_cid and the signature cover
  let unauth = 0;
  for (const k of sortedMemberNames(doc)) {
    if (k === 'bundle' || k === 'bundle_cid' || k === sigName) continue;
    if (k === 'transparency') r.addWarning('transparency_not_checked', '/transparency', 'the transparency inclusion proof is not checked');
    r.addUnauthenticated(k);
    unauth++;
  }
  if (unauth) r.addWarning('unauthenticated_fields', '', `${unauth} member(s) beside the bundle are not covered by its signature; see unauthenticated_fields`);
}

export { quote as _quote };
