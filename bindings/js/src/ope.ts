// OPE v1 envelopes (src/lib/ope/envelope.c): pack in the three dialects, verify any of them into the report with
// the C library's check names, codes, pointers and messages.
//
// SPEC (seed 003 §2): signing string "{cid}|{trace_id}|{ts}", Ed25519, base64url without padding. prova's opt-in
// "sig_scope":"envelope" signs the canonical envelope without "sig" instead (docs/ope.md).

import { ProvaError } from './errors.js';
import { fromBase64Url, toBase64Url, toHex, utf8Encode } from './bytes.js';
import { JsonNumber, isJsonObject, parse, type Json, type JsonObject } from './json.js';
import { canonicalString, canonicalize, quote } from './canon.js';
import { Report } from './report.js';
import { Key, KeySet, sha256 } from './crypto.js';

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

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
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
    mine = await cid(payload);
  } catch (e) {
    const pe = e as ProvaError;
    r.fail('cid', pe.code, at + '/payload', 'the payload cannot be canonicalized: ' + pe.message);
    return null;
  }
  const needAscii = starter && (cidv === undefined || cidv !== mine);
  let ascii = '';
  if (needAscii) {
    try {
      ascii = await cidOfBytes(utf8Encode(canonicalString(payload, 'ophamin')));
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
      const ok = raw !== null && (await key.verify(msg, raw));
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
  return Object.keys(o).sort((a, b) => (a === b ? 0 : canonLess(a, b) ? -1 : 1));
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
    notYet(r, 'bundles');
  } else if (isEnvelope(root)) {
    r.setKind('ope_envelope');
    await verifyEnvelopeInto(root as JsonObject, '', o, r);
  } else if (isReceipt(root)) {
    r.setKind('ope_receipt');
    notYet(r, 'receipts');
  } else if (isChain(root)) {
    r.setKind('ope_receipt_chain');
    notYet(r, 'receipt chains');
  } else {
    r.setOutcome('unknown_kind');
    r.fail('kind', 'schema_error', '', 'not an OPE document: expected an envelope, a receipt, a receipt chain or a bundle');
  }
}

function notYet(r: Report, what: string): void {
  r.fail('kind', 'unsupported', '', `the TypeScript package does not verify OPE ${what} yet`);
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

export { quote as _quote };
