// verify(document, options): parse, detect the family and kind exactly as prova_verify_document
// (src/lib/verify/verify.c), verify into one Report.
//
// Families: the OPE ones live in ope.ts; the others (DSSE, CloudEvent, OpenExecution, proof records, JSON Lines of
// OE events) are entries of `families` below, filled in by their modules. An entry that is not there yet gives a
// failed "kind" check with code "unsupported".

import { ProvaError } from './errors.js';
import { parse, parseRecordingSpans, isJsonObject, CANON_SPANS, type CanonSpans, type Json, type ParseOptions } from './json.js';
import { canonicalize } from './canon.js';
import { Report } from './report.js';
import { KeySet } from './crypto.js';
import * as ope from './ope.js';
import * as proof from './proof.js';
import * as dsse from './dsse.js';
import * as oe from './oe.js';

export interface VerifyOptions extends ope.OpeVerifyOptions {
  /** Trusted keys as a JWKS (object or JSON text); merged into `keys`. */
  jwks?: string | object;
  /** The source name reported for keys of `jwks` (the CLI's is "jwks:<path>"; default "jwks"). */
  jwksSource?: string;
  /** The verifier's clock as RFC 3339 text (the CLI's --now); nowUs wins when both are given. */
  now?: string;
  /** Nesting limit for the parse (default 128). */
  maxDepth?: number;
  /** Anything a family verifier reads (hmacKeyB64, allowDefaultHmacKey, ...). */
  [option: string]: unknown;
}

/** A family verifier: appends its checks (and kind) to r. */
export type FamilyVerifier = (root: Json, o: VerifyOptions, r: Report) => Promise<void>;
/** A JSON Lines verifier: returns normally when every line parsed, throws ProvaError on a line that did not. */
export type LinesVerifier = (text: string, o: VerifyOptions, r: Report) => Promise<void>;

// ---- detection, as the C library ------------------------------------------------------------------------------

function has(v: Json, k: string): boolean {
  return isJsonObject(v) && v[k] !== undefined;
}

export function isDsse(v: Json): boolean {
  return has(v, 'payloadType') && has(v, 'payload') && has(v, 'signatures');
}

export function isCloudEvent(v: Json): boolean {
  return isJsonObject(v) && typeof v['specversion'] === 'string';
}

// OpenExecution detection is oe.ts's (prova_oe_detect).
export { isOeEvent, isOeBundle, isOeChainRecord, isOeEvents, isOe } from './oe.js';
const { isOeEvent, isOeBundle, isOeChainRecord, isOe } = oe;

export function isProofRecord(v: Json): boolean {
  return isJsonObject(v) && typeof v['schema_version'] === 'string' && isJsonObject(v['identity']) &&
    isJsonObject(v['claim']) && isJsonObject(v['verdict']);
}

export type Family = 'dsse' | 'cloudevent' | 'oe' | 'ope' | 'proof' | 'unknown';

/** The family prova_verify_document would pick for a parsed document. */
export function detectFamily(root: Json): Family {
  if (isDsse(root)) return 'dsse';
  if (isCloudEvent(root)) return 'cloudevent';
  if (isOe(root)) return 'oe';
  if (ope.detect(root)) return 'ope';
  if (isProofRecord(root)) return 'proof';
  return 'unknown';
}

function unsupported(kind: string, what: string): FamilyVerifier {
  return async (_root, _o, r) => {
    r.setKind(kind);
    r.fail('kind', 'unsupported', '', `the TypeScript package does not verify ${what} yet`);
  };
}

/** The non-OPE family verifiers; their modules replace these entries. */
export const families: {
  dsse: FamilyVerifier;
  cloudevent: FamilyVerifier;
  oe: FamilyVerifier;
  proof: FamilyVerifier;
  oeLines: LinesVerifier;
  opeLines: LinesVerifier;
  /** Reparses a document the strict parser refused for NaN/Infinity, lone surrogates or range: a proof record or null. */
  proofLenient: ((text: string | Uint8Array, o: VerifyOptions) => Json | null) | null;
} = {
  dsse: (root, o, r) => dsse.verifyDsse(root, o, r, { verifyInner: (rec, oo) => verify(rec, { ...(oo as VerifyOptions), jwks: undefined }), describe: describeRecord }),
  cloudevent: unsupported('cloudevent', 'CloudEvents'),
  oe: async (root, o, r) => {
    await oe.verifyOe(root, o, r);
  },
  proof: (root, o, r) => proof.verifyProof(root, o, r),
  oeLines: async (t, o, r) => {
    await oe.verifyOeLines(t, o, r);
  },
  opeLines: (t, o, r) => ope.verifyOpeLines(t, o, r),
  proofLenient: (text) => {
    try {
      const v = proof.parseProof(text);
      return proof.isProof(v) ? v : null;
    } catch {
      return null;
    }
  },
};

// prova_record_describe for OPE and OpenExecution records (proof records: dsse.ts): family, kind, content address.
function stated(v: Json | undefined, hexLen: number, prefixOk: boolean, at: string): string {
  let s = typeof v === 'string' ? v : '';
  if (prefixOk && hexLen === 64 && s.length > 7 && s.startsWith('sha256:')) s = s.slice(7);
  if (s.length !== hexLen || !/^[0-9a-fA-F]*$/.test(s))
    throw new ProvaError('record_digest_invalid', "the record's content address is not hex of its algorithm", { pointer: at });
  return s.toLowerCase();
}

function describeOe(chain: Json, at: string, kind: string): dsse.RecordInfo {
  const c = chain as Record<string, Json>;
  const h = c['chain_hash'];
  if (h === undefined || h === null)
    throw new ProvaError('record_not_resolved', 'the chain is not resolved: it has no chain_hash yet', { pointer: `${at}/chain_hash` });
  let alg = oe.oeHashLookup('sha256')!;
  if ('hash_algorithm' in c) {
    const a = oe.oeHashLookup(c['hash_algorithm']);
    if (!a) throw new ProvaError('record_digest_invalid', "the chain's hash_algorithm is not one prova knows", { pointer: `${at}/hash_algorithm` });
    alg = a;
  } else if (typeof h === 'string' && h.length === 96) alg = 'sha384';
  else if (typeof h === 'string' && h.length === 128) alg = 'sha512';
  const digest = stated(h, oe.oeGenesis(alg).length, false, `${at}/chain_hash`);
  return { family: 'oe', kind, digestAlg: alg.replace('-', '_'), digest, name: `${kind.replace(/_/g, '-')}-${digest.slice(0, 16)}` };
}

async function describeRecord(rec: Json): Promise<dsse.RecordInfo | null> {
  const named = (family: 'ope', kind: string, digest: string): dsse.RecordInfo =>
    ({ family, kind, digestAlg: 'sha256', digest, name: `${kind.replace(/_/g, '-')}-${digest.slice(0, 16)}` });
  if (isOeBundle(rec)) {
    const chain = (rec as Record<string, Json>)['chain'];
    if (!isJsonObject(chain)) throw new ProvaError('record_not_resolved', 'the bundle carries no chain object', { pointer: '/chain' });
    return describeOe(chain, '/chain', 'oe_bundle');
  }
  if (isOeChainRecord(rec)) return describeOe(rec, '', 'oe_chain');
  const o = rec as Record<string, Json>;
  if (ope.isBundle(rec)) return named('ope', 'ope_bundle', stated(o['bundle_cid'], 64, true, '/bundle_cid'));
  if (ope.isEnvelope(rec)) {
    const payload = o['payload'];
    if (!isJsonObject(payload)) throw new ProvaError('record_unknown_kind', "an envelope's payload must be an object", { pointer: '/payload' });
    let mine = await ope.cid(payload);
    const c = o['cid'];
    if (c !== undefined && c !== mine) {
      const ascii = await ope.cidOfBytes(canonicalize(payload, 'ophamin'));
      if (c !== ascii) throw new ProvaError('record_digest_mismatch', "the envelope's cid is not the SHA-256 of its payload", { pointer: '/cid' });
      mine = ascii;
    }
    return named('ope', 'ope_envelope', mine.slice(7));
  }
  if (ope.isReceipt(rec)) return named('ope', 'ope_receipt', stated(o['receipt_hash'], 64, true, '/receipt_hash'));
  if (ope.isChain(rec) && Array.isArray(rec)) {
    const last = rec[rec.length - 1] as Record<string, Json>;
    return named('ope', 'ope_receipt_chain', stated(last['receipt_hash'], 64, true, `/${rec.length - 1}/receipt_hash`));
  }
  return null;
}

// Key sets built from a jwks, by source then by text (the caller's own string: no concatenation to hash per call);
// the resolved KeySet sits next to its promise so that a hit costs no await.
interface JwksEntry {
  p: Promise<KeySet>;
  ks: KeySet | null;
}
const jwksCache = new Map<string, Map<string, JwksEntry>>();
let jwksCached = 0;

function jwksEntry(o: VerifyOptions): JwksEntry {
  const text = typeof o.jwks === 'string' ? o.jwks : JSON.stringify(o.jwks);
  const source = o.jwksSource ?? 'jwks';
  let bySource = jwksCache.get(source);
  if (!bySource) {
    if (jwksCache.size > 64) {
      jwksCache.clear();
      jwksCached = 0;
    }
    bySource = new Map();
    jwksCache.set(source, bySource);
  }
  let e = bySource.get(text);
  if (!e) {
    if (jwksCached > 64) {
      jwksCache.clear();
      jwksCached = 0;
      bySource = new Map();
      jwksCache.set(source, bySource);
    }
    const entry: JwksEntry = { p: KeySet.fromJwks(text, source), ks: null };
    entry.p.then((ks) => (entry.ks = ks), () => bySource!.delete(text));
    bySource.set(text, entry);
    jwksCached++;
    e = entry;
  }
  return e;
}

function mergeKeys(fromJwks: KeySet, keys: KeySet | undefined): KeySet {
  if (!keys) return fromJwks;
  const ks = new KeySet();
  for (const e of fromJwks.entries()) ks.add(e.key, e.source);
  for (const e of keys.entries()) ks.add(e.key, e.source);
  return ks;
}

/** The trusted keys of the options: keys, plus jwks parsed once per distinct text (cached). */
export async function resolveKeys(o: VerifyOptions): Promise<KeySet | undefined> {
  if (o.jwks === undefined) return o.keys;
  const e = jwksEntry(o);
  return mergeKeys(e.ks ?? (await e.p), o.keys);
}

// The last `now` parsed (a Verifier made per call usually has the same one; a cache, not state: same input, same
// value)
let lastNow: string | null = null;
let lastNowUs = 0;

// The options a verification runs with: keys resolved, now parsed.
function prepareSync(options: VerifyOptions, keys: KeySet | undefined): VerifyOptions {
  let nowUs = options.nowUs;
  if (nowUs === undefined && typeof options.now === 'string') {
    const now = options.now;
    const t = now === lastNow ? lastNowUs : ope.parseTime(now);
    if (t === null) throw new ProvaError('time_invalid', 'now must be an RFC 3339 timestamp with an offset');
    lastNow = now;
    lastNowUs = t;
    nowUs = t;
  }
  // Object.assign, not spread: in V8 (Node 20) adding members to an object made with {...x} (or spreading it
  // again) takes microseconds, 25 times the copy; every member set later is set here
  const o: VerifyOptions = Object.assign({}, options);
  o.keys = keys ?? options.keys;
  o.nowUs = nowUs;
  o[CANON_SPANS] = undefined;
  return o;
}

async function prepare(options: VerifyOptions): Promise<VerifyOptions> {
  let keys: KeySet | undefined;
  if (options.jwks === undefined) keys = options.keys;
  else {
    const e = jwksEntry(options);
    keys = mergeKeys(e.ks ?? (await e.p), options.keys);
  }
  return prepareSync(options, keys);
}

/**
 * verify() with options prepared once: the keys of `jwks` loaded (and `keys` merged) and `now` parsed when the
 * Verifier is made, not looked up at each call. `verifier.verify(doc)` gives the same Report as
 * `verify(doc, options)`; options are copied when the Verifier is made (later changes to the object do not count).
 * Without now/nowUs the clock is read at each call. A malformed jwks or now throws from Verifier.create(), or from
 * the first verify() of a Verifier made with `new`.
 */
export class Verifier {
  #ready: Promise<VerifyOptions>;
  #options: VerifyOptions | null = null;

  constructor(options: VerifyOptions = {}) {
    this.#ready = prepare(Object.assign({}, options)); // (not spread: see prepareSync)
    this.#ready.then((o) => (this.#options = o), () => undefined);
  }

  /** A Verifier whose options are checked and its keys loaded before it is returned. */
  static async create(options: VerifyOptions = {}): Promise<Verifier> {
    const v = new Verifier(options);
    await v.#ready;
    return v;
  }

  /** The same Report as verify(document, options). */
  async verify(document: string | Uint8Array | Json): Promise<Report> {
    const o = this.#options ?? (await this.#ready);
    return verifyWith(document, Object.assign({}, o), o.maxDepth);
  }
}

function firstLine(text: string): Json | null {
  let i = 0;
  while (i < text.length) {
    let e = text.indexOf('\n', i);
    if (e < 0) e = text.length;
    const line = text.slice(i, e).replace(/\r$/, '');
    if (line.trim() !== '') {
      try {
        return parse(line);
      } catch {
        return null;
      }
    }
    i = e + 1;
  }
  return null;
}

/**
 * Verifies any document prova knows; the Report is the same as `prova verify --json` prints. A parsed Json is
 * verified as is (no parse check).
 */
export async function verify(document: string | Uint8Array | Json, options: VerifyOptions = {}): Promise<Report> {
  let keys: KeySet | undefined;
  if (options.jwks === undefined) keys = options.keys;
  else {
    const e = jwksEntry(options);
    keys = mergeKeys(e.ks ?? (await e.p), options.keys);
  }
  return verifyWith(document, prepareSync(options, keys), options.maxDepth);
}

// verify() with its options prepared (o is this call's own copy).
async function verifyWith(document: string | Uint8Array | Json, o: VerifyOptions, maxDepth: number | undefined): Promise<Report> {
  const r = new Report('unknown');
  let root: Json;
  if (typeof document === 'string' || document instanceof Uint8Array) {
    const po: ParseOptions = { maxDepth: maxDepth ?? 0 };
    try {
      // the canonical text of objects already written canonically, for the envelope checks of this call (the
      // parsed document stays inside this call: nothing changes it before they read it)
      const spans: CanonSpans = new Map();
      root = parseRecordingSpans(document, po, spans);
      o[CANON_SPANS] = spans;
    } catch (e) {
      if (!(e instanceof ProvaError)) throw e;
      const text = typeof document === 'string' ? document : new TextDecoder().decode(document);
      let lines = e.code === 'json_trailing_data';
      let first: Json | null = null;
      if (lines || e.code === 'json_size_limit') first = firstLine(text);
      if (!lines && first !== null) lines = isOeEvent(first) || ope.isReceipt(first);
      if (lines) {
        const oe = first !== null && isOeEvent(first);
        try {
          await (oe ? families.oeLines : families.opeLines)(text, o, r);
        } catch (le) {
          if (!(le instanceof ProvaError)) throw le;
          r.setOutcome('bad_input');
        }
        return r;
      }
      let lenient: Json | null = null;
      if (families.proofLenient && (e.code !== 'json_size_limit' && e.code !== 'json_depth_limit')) {
        lenient = families.proofLenient(document, o);
      }
      if (lenient === null) {
        r.fail('parse', e.code, e.pointer ?? '', `${e.message} at line ${e.line ?? 1}, column ${e.column ?? 1}`);
        r.setOutcome('bad_input');
        return r;
      }
      root = lenient;
    }
  } else {
    root = document;
  }
  switch (detectFamily(root)) {
    case 'dsse':
      await families.dsse(root, o, r);
      break;
    case 'cloudevent':
      await families.cloudevent(root, o, r);
      break;
    case 'oe':
      await families.oe(root, o, r);
      break;
    case 'ope':
      await ope.verifyOpeRoot(root, o, r);
      break;
    case 'proof':
      await families.proof(root, o, r);
      break;
    default:
      r.setOutcome('unknown_kind');
      r.fail('kind', 'schema_error', '',
        'not a document prova knows: expected an OPE envelope, receipt, receipt chain or bundle, ' +
        'an OpenExecution bundle, chain record or events, or an Ophamin proof record');
  }
  return r;
}
