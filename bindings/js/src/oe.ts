// OpenExecution v2 (docs/openexecution.md; src/lib/oe/): event hash input and hashes (JCS), the genesis, the chain
// hash, and timestamps as JavaScript's toISOString() writes them.
//
// Building (chain.c, cert.c): new chain, append, resolve, certify, revoke/supersede, byte for byte as the C
// library (Ed25519 is deterministic; ECDSA signatures are random). Verification (verify.c, cert.c, attest.c):
// offline bundles, chain records, event arrays and JSON Lines give the C library's report (checks, codes, `at`
// pointers, warnings, unauthenticated_fields, keys); the SDK's own result (`sdk_result`) is not produced.

import { ProvaError } from './errors.js';
import { JsonNumber, isJsonObject } from './json.js';
import type { Json, JsonObject } from './json.js';
import { canonicalString } from './canon.js';
import { hash, hashAvailable, backend, Key, KeySet, isSigAlg, randomBytes, _hex as hex, _unhex as unhex } from './crypto.js';
import type { HashAlg, SigAlg } from './crypto.js';
import { Report } from './report.js';
import { parse } from './json.js';

export const OE_HASH_ALGS: Record<string, HashAlg> = {
    sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
    'sha3-256': 'sha3-256', 'sha3-384': 'sha3-384', 'sha3-512': 'sha3-512',
    sha3_256: 'sha3-256', sha3_384: 'sha3-384', sha3_512: 'sha3-512',
};

/** prova_oe_hash_lookup: the hash a hash_algorithm names (sha3_256 forms accepted), or null. */
export function oeHashLookup(name: unknown): HashAlg | null {
    return typeof name === 'string' && Object.prototype.hasOwnProperty.call(OE_HASH_ALGS, name) ? OE_HASH_ALGS[name]! : null;
}

const HEX_LEN: Record<HashAlg, number> = { sha256: 64, sha384: 96, sha512: 128, 'sha3-256': 64, 'sha3-384': 96, 'sha3-512': 128 };

/** The prev_hash of seq 1: '0' × the hex length of H. */
export function oeGenesis(alg: HashAlg): string {
    return '0'.repeat(HEX_LEN[alg]);
}

function daysInMonth(y: number, m: number): number {
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** prova_time_parse: RFC 3339 with an offset (Z, ±HH:MM, ±HHMM, ±HH), 'T', 't' or ' '; microseconds since the
 *  epoch, or null. */
export function timeParse(s: string): bigint | null {
    const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::(\d{2})|(\d{2}))?)$/.exec(s);
    if (!m) return null;
    const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
    if (y! < 1 || mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth(y!, mo!) || h! > 23 || mi! > 59 || se! > 59) return null;
    const frac = m[7] ? BigInt((m[7] + '000000').slice(0, 6)) : 0n;
    let off = 0;
    if (!m[8]) {
        const oh = Number(m[10]), om = Number(m[11] ?? m[12] ?? '0');
        if (oh > 23 || om > 59) return null;
        off = (m[9] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
    const dt = new Date(0); // proleptic Gregorian; setUTCFullYear keeps years 1..99 as they are
    dt.setUTCFullYear(y!, mo! - 1, d!);
    const dd = Math.round(dt.getTime() / 86400000);
    const secs = BigInt(dd) * 86400n + BigInt(h! * 3600 + mi! * 60 + se!) - BigInt(off);
    return secs * 1000000n + frac;
}

/** prova_oe_time_format: microseconds → YYYY-MM-DDTHH:MM:SS.sssZ (milliseconds cut, never rounded). */
export function oeTimeFormat(us: bigint): string | null {
    const ms = us >= 0n ? us / 1000n : -((-us + 999n) / 1000n);
    if (ms < -62135596800000n || ms > 253402300799999n) return null; // years 1..9999
    return new Date(Number(ms)).toISOString();
}

const d2 = (s: string, i: number): number => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/** YYYY-MM-DDTHH:MM:SS.sssZ with valid fields: already what toISOString() writes (the fast path of most events). */
function canonicalForm(v: string): boolean {
    if (v.length !== 24 || v.charCodeAt(23) !== 90 /* Z */ || !CANON_TS.test(v)) return false;
    const y = d2(v, 0) * 100 + d2(v, 2), mo = d2(v, 5), d = d2(v, 8);
    return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && d2(v, 11) <= 23 && d2(v, 14) <= 59 && d2(v, 17) <= 59;
}
const CANON_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** prova_oe_timestamp: created_at as new Date(v).toISOString() (strings in the accepted forms). */
export function oeTimestamp(v: Json | undefined): string | null {
    if (typeof v === 'string') {
        if (canonicalForm(v)) return v;
        const us = timeParse(v);
        return us === null ? null : oeTimeFormat(us);
    }
    if (v instanceof JsonNumber) {
        const ms = v.valueOf();
        if (!(Math.abs(ms) <= 8.64e15)) return null;
        return oeTimeFormat(BigInt(Math.trunc(ms)) * 1000n);
    }
    return null;
}

/** JavaScript truthiness of a JSON value (absent = false). */
export function jsTruthy(v: Json | undefined): boolean {
    if (v === undefined || v === null || v === false) return false;
    if (typeof v === 'string') return v.length > 0;
    if (v instanceof JsonNumber) {
        const d = v.valueOf();
        return !(d === 0 || Number.isNaN(d));
    }
    return true;
}

/** prova_oe_event_input: the JCS text hashed for an event:
 *  {actor_id || "system", event_type?, payload?, prev_hash?, seq?, timestamp}. Throws oe_schema / oe_timestamp_invalid. */
export function oeEventInput(ev: Json): string {
    if (!isJsonObject(ev)) throw new ProvaError('oe_schema', 'an event must be a JSON object');
    const ts = oeTimestamp(ev['created_at']);
    if (ts === null) throw new ProvaError('oe_timestamp_invalid', 'created_at is missing or not an RFC 3339 timestamp with an offset');
    const actor = ev['actor_id'];
    let s = '{"actor_id":' + (jsTruthy(actor) ? canonicalString(actor, 'jcs') : '"system"');
    for (const k of ['event_type', 'payload', 'prev_hash', 'seq']) if (k in ev) s += `,"${k}":` + canonicalString(ev[k], 'jcs');
    return s + `,"timestamp":"${ts}"}`;
}

/** prova_oe_event_hash: lowercase hex H(event input). */
export async function oeEventHash(ev: Json, alg: HashAlg = 'sha256'): Promise<string> {
    return hex(await hash(alg, oeEventInput(ev)));
}

/** The chain hash: lowercase hex H(concatenation of the events' hash hex text); empty chain: H(""). */
export async function oeChainHash(eventHashes: string[], alg: HashAlg = 'sha256'): Promise<string> {
    return hex(await hash(alg, eventHashes.join('')));
}

/** Links events: each gets prev_hash (the genesis for the first) and event_hash; returns the chain hash. The
 *  events are changed in place (JsonObject). */
export async function oeLink(events: JsonObject[], alg: HashAlg = 'sha256'): Promise<{ eventHashes: string[]; chainHash: string }> {
    let prev = oeGenesis(alg);
    const hashes: string[] = [];
    for (const ev of events) {
        ev['prev_hash'] = prev;
        const h = await oeEventHash(ev, alg);
        ev['event_hash'] = h;
        hashes.push(h);
        prev = h;
    }
    return { eventHashes: hashes, chainHash: await oeChainHash(hashes, alg) };
}

// ---- detection (prova_oe_detect) --------------------------------------------------------------------------------

function get(v: Json | undefined, k: string): Json | undefined {
    return isJsonObject(v) && Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined;
}

/** An OpenExecution event object (event_hash, seq and prev_hash): JSON Lines detection. */
export function isOeEvent(v: Json): boolean {
    return get(v, 'event_hash') !== undefined && get(v, 'seq') !== undefined && get(v, 'prev_hash') !== undefined;
}

/** An offline certificate bundle: certificate and one of certificate_signature, chain, public_key. */
export function isOeBundle(v: Json): boolean {
    return get(v, 'certificate') !== undefined &&
        (get(v, 'certificate_signature') !== undefined || get(v, 'chain') !== undefined || get(v, 'public_key') !== undefined);
}

/** A chain record: an events array, no certificate, and one of hash_algorithm, chain_hash, chain_type, status. */
export function isOeChainRecord(v: Json): boolean {
    return isJsonObject(v) && Array.isArray(v['events']) && get(v, 'certificate') === undefined &&
        (get(v, 'hash_algorithm') !== undefined || get(v, 'chain_hash') !== undefined || get(v, 'chain_type') !== undefined ||
            get(v, 'status') !== undefined);
}

/** A non-empty array of events. */
export function isOeEvents(v: Json): boolean {
    return Array.isArray(v) && v.length > 0 && v.every(isOeEvent);
}

/** prova_oe_detect: a document prova_oe_verify_doc verifies. */
export function isOe(v: Json): boolean {
    return isOeBundle(v) || isOeChainRecord(v) || isOeEvents(v);
}

// ---- small helpers ------------------------------------------------------------------------------------------------

const utf8Len = (s: string): number => new TextEncoder().encode(s).length;
const jcs = (v: Json): string => canonicalString(v, 'jcs');
const strSame = (a: Json | undefined, b: Json | undefined): boolean => typeof a === 'string' && typeof b === 'string' && a === b;

/** String(v) as a JavaScript template literal writes it, cut to max UTF-16 code units (0: no limit), never
 *  splitting a surrogate pair (prova__oe_js_string). */
export function jsString(v: Json | undefined, max = 0): string {
    let s: string;
    if (v === undefined) s = 'undefined';
    else if (v === null) s = 'null';
    else if (typeof v === 'boolean') s = v ? 'true' : 'false';
    else if (typeof v === 'string') s = v;
    else if (v instanceof JsonNumber) {
        const d = v.valueOf();
        s = Number.isFinite(d) ? jcs(v) : String(d);
    } else if (Array.isArray(v)) s = v.map((e) => (e === null ? '' : jsString(e))).join(',');
    else s = '[object Object]';
    if (!max || s.length <= max) return s;
    let n = max;
    const c = s.charCodeAt(n - 1);
    if (c >= 0xd800 && c <= 0xdbff) n--;
    return s.slice(0, n);
}

/** prova__oe_sig_decode: hex (either case) with an optional "oe_sig_" prefix; null when not hex. */
export function oeSigDecode(s: Json | undefined): Uint8Array | null {
    if (typeof s !== 'string') return null;
    const t = s.startsWith('oe_sig_') ? s.slice(7) : s;
    if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return null;
    return unhex(t.toLowerCase());
}

/** prova__oe_key_parse: a public key as the SDKs carry it (PEM SPKI, hex DER SPKI, 64-hex Ed25519), or a JWK
 *  (string or object). A key that holds a private part is refused (key_is_private). */
export async function oeKeyParse(pk: Json | undefined): Promise<Key> {
    let k: Key;
    if (typeof pk === 'string') {
        const t = pk.trim();
        if (/^-----BEGIN (EC |ENCRYPTED )?PRIVATE KEY-----/.test(t))
            throw new ProvaError('key_is_private', 'public_key holds a private key: the bundle discloses the issuer\'s secret');
        k = await Key.fromText(pk);
    } else if (isJsonObject(pk)) {
        k = await Key.fromJwk(JSON.parse(jcs(pk)));
    } else throw new ProvaError('key_invalid', 'public_key must be a PEM, hex SPKI or JWK string/object');
    if (k.isPrivate) throw new ProvaError('key_is_private', 'public_key holds a private key: the bundle discloses the issuer\'s secret');
    return k;
}

/** Options the OpenExecution verifier reads (the verify() options). */
export interface OeVerifyOptions {
    /** Trusted keys: when not empty, the bundle's public_key must be one of them. */
    keys?: KeySet;
    /** The hash algorithm of events that do not name one (JSON Lines, event arrays); `hash_alg` is read too. */
    hashAlg?: string;
    hash_alg?: string;
    [option: string]: unknown;
}

// ---- the incremental chain checker (prova__oe_chain_*) ------------------------------------------------------------

const OE_MAX_FAILURES = 100;
const OE_MAX_EXTRA = 32;
const OE_MAX_EXTRA_NAME = 128;
const HASHED_MEMBERS = new Set(['seq', 'event_type', 'actor_id', 'created_at', 'payload', 'prev_hash', 'event_hash']);

type NodeHash = { update(d: string, enc: 'utf8'): NodeHash; digest(enc: 'hex'): string };
type HashFactory = { node: ((alg: string) => NodeHash) | null; once: ((alg: string, s: string) => string) | null };

/** One hash over many string parts: incremental in Node, collected then hashed once with WebCrypto. */
class Acc {
    #h: NodeHash | null;
    #parts: string[] = [];
    constructor(private readonly alg: HashAlg, f: HashFactory) {
        this.#h = f.node ? f.node(alg) : null;
    }
    #pending = '';
    add(s: string): void {
        if (!this.#h) this.#parts.push(s);
        else if ((this.#pending += s).length >= 4096) { // one digest update per 4 KiB, as the C library
            this.#h.update(this.#pending, 'utf8');
            this.#pending = '';
        }
    }
    async hex(): Promise<string> {
        if (this.#h) return this.#h.update(this.#pending, 'utf8').digest('hex');
        return hex(await hash(this.alg, this.#parts.join('')));
    }
}

export class OeChainChecker {
    readonly alg: HashAlg;
    readonly hexLen: number;
    count = 0;
    prev: string;
    recomputedOk = true;
    failures = 0;
    integrityOk = true;
    readonly extra: string[] = [];
    extraMore = 0;
    #extraSet = new Set<string>();
    #stored: Acc;
    #recomputed: Acc;
    #f: HashFactory;

    private constructor(alg: HashAlg, readonly at: string, readonly r: Report | null, f: HashFactory) {
        this.alg = alg;
        this.hexLen = HEX_LEN[alg];
        this.prev = oeGenesis(alg);
        this.#f = f;
        this.#stored = new Acc(alg, f);
        this.#recomputed = new Acc(alg, f);
    }

    static async create(alg: HashAlg, at: string, r: Report | null): Promise<OeChainChecker> {
        const be = await backend();
        const node = be.node;
        // crypto.hash (Node >= 21.7): a one-shot digest without a Hash object per event.
        const oneShot = node && typeof (node as unknown as { hash?: unknown }).hash === 'function'
            ? (node as unknown as { hash(a: string, d: string, enc: 'hex'): string }).hash : null;
        return new OeChainChecker(alg, at, r, {
            node: node ? (a) => node.createHash(a) as unknown as NodeHash : null,
            once: node ? (oneShot ? (a, d) => oneShot(a, d, 'hex') : (a, d) => node.createHash(a).update(d, 'utf8').digest('hex')) : null,
        });
    }

    #fail(i: number, field: string, code: string, msg: string): void {
        this.integrityOk = false;
        if (this.failures++ >= OE_MAX_FAILURES || !this.r) return;
        this.r.fail(`events[${i}].${field}`, code, `${this.at}/${i}/${field}`, msg);
    }

    #extraAdd(name: string): void {
        if (this.#extraSet.has(name)) return;
        if (this.extra.length === OE_MAX_EXTRA || utf8Len(name) > OE_MAX_EXTRA_NAME || name.includes('\0')) {
            this.extraMore++;
            return;
        }
        this.#extraSet.add(name);
        this.extra.push(name);
    }

    /** Checks the next event (seq, link, hash), feeds both chain hashes, collects member names outside the hash.
     *  Synchronous in Node (a Promise only with WebCrypto, whose digest is asynchronous). */
    step(ev: Json): void | Promise<void> {
        let input: string | ProvaError | null = null;
        if (isJsonObject(ev)) {
            try {
                input = oeEventInput(ev);
            } catch (e) {
                if (!(e instanceof ProvaError)) throw e;
                input = e;
            }
        }
        const node = this.#f.node;
        if (node || typeof input !== 'string') {
            this.#step(ev, input, typeof input === 'string' ? this.#f.once!(this.alg, input) : null);
            return;
        }
        const text = input;
        return hash(this.alg, text).then((h) => this.#step(ev, text, hex(h)));
    }

    #step(ev: Json, input: string | ProvaError | null, computedHex: string | null): void {
        const i = this.count++;
        const obj = isJsonObject(ev);
        const seq = get(ev, 'seq'), prev = get(ev, 'prev_hash'), stored = get(ev, 'event_hash');
        if (!obj) this.#fail(i, 'schema', 'oe_schema', `event ${i} is not a JSON object`);
        if (!(seq instanceof JsonNumber && seq.valueOf() === i + 1))
            this.#fail(i, 'seq', 'seq_mismatch', `expected seq ${i + 1}, found ${seq === undefined ? 'none' : jsString(seq, 16)}`);
        if (!(typeof prev === 'string' && prev === this.prev)) {
            const got = jsTruthy(prev) ? jsString(prev, 16) : '';
            if (i === 0) this.#fail(i, 'prev_hash', 'genesis_mismatch', `the first event's prev_hash is not the genesis hash (${this.hexLen} zeros)`);
            else this.#fail(i, 'prev_hash', 'link_broken', `prev_hash is not the event_hash of event ${i} (expected ${this.prev.slice(0, 16)}..., found ${got}...)`);
        }
        const computed = computedHex;
        if (input instanceof ProvaError) {
            if (input.code === 'oe_timestamp_invalid')
                this.#fail(i, 'created_at', 'timestamp_invalid', 'created_at is missing or not an RFC 3339 timestamp with an offset');
            else this.#fail(i, 'payload', input.code || 'oe_schema', input.message || 'the event cannot be canonicalized');
        }
        if (computed !== null && !(typeof stored === 'string' && stored === computed)) {
            const got = jsTruthy(stored) ? jsString(stored, 16) : '';
            this.#fail(i, 'event_hash', 'event_hash_mismatch',
                `the recomputed ${this.alg} event hash ${computed.slice(0, 16)}... differs from the stored ${got}...`);
        }
        if (obj) for (const k of Object.keys(ev)) if (!HASHED_MEMBERS.has(k)) this.#extraAdd(k);
        const sh = typeof stored === 'string' ? stored : '';
        this.#stored.add(sh);
        if (computed !== null) this.#recomputed.add(computed);
        else this.recomputedOk = false;
        this.prev = sh;
    }

    /** Both chain hashes (recomputed: "" when some event hash could not be computed), and the summary of per-event
     *  failures beyond the first 100. */
    async finish(): Promise<{ stored: string; recomputed: string }> {
        const stored = await this.#stored.hex();
        let recomputed = await this.#recomputed.hex();
        if (!this.recomputedOk) recomputed = '';
        if (this.failures > OE_MAX_FAILURES && this.r)
            this.r.fail('events', 'too_many_failures', this.at,
                `${this.failures - OE_MAX_FAILURES} more failed event checks are not listed (${this.failures} in all)`);
        return { stored, recomputed };
    }
}

// ---- the verifier (src/lib/oe/verify.c) ---------------------------------------------------------------------------

/** chain_alg: a truthy name is looked up; else (infer) the option; else (infer) the first event hash's length. */
function chainAlg(name: Json | undefined, infer: boolean, event0: Json | undefined, o: OeVerifyOptions, at: string, r: Report): HashAlg | null {
    let n: string | null = null;
    if (jsTruthy(name)) n = typeof name === 'string' ? name : '';
    else if (infer && typeof (o.hashAlg ?? o.hash_alg) === 'string' && (o.hashAlg ?? o.hash_alg)) n = (o.hashAlg ?? o.hash_alg)!;
    if (n !== null) {
        const a = oeHashLookup(n);
        if (a) return a;
        r.fail('hash_algorithm', 'unsupported_hash_algorithm', at,
            `hash algorithm '${n.slice(0, 64)}' is not one of sha256, sha384, sha512, sha3-256, sha3-384, sha3-512`);
        return null;
    }
    if (!infer) return 'sha256';
    const h = get(event0, 'event_hash');
    const len = typeof h === 'string' ? utf8Len(h) : 64;
    const alg: HashAlg = len === 96 ? 'sha384' : len === 128 ? 'sha512' : 'sha256';
    if (len === 64 || len === 96 || len === 128)
        r.addWarning('hash_algorithm_assumed', at,
            `no hash algorithm given: ${alg} assumed from the hash length (sha3-${len * 4} hashes have the same length; pass --hash-alg)`);
    return alg;
}

function escapeToken(s: string): string {
    return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function reportEventExtras(c: OeChainChecker, sentimentSigned: boolean, r: Report): number {
    let n = 0;
    for (const name of c.extra) {
        if (sentimentSigned && name === 'sentiment') continue;
        r.addUnauthenticated(`${c.at}/*/${escapeToken(name)}`);
        n++;
    }
    return n + c.extraMore;
}

function unauthenticatedWarning(r: Report, at: string, n: number, more: number, what: string): void {
    if (!n) return;
    r.addWarning('unauthenticated_fields', at,
        `${n} member(s) ${what}; see unauthenticated_fields${more ? ' (some event member names too long or too many to list)' : ''}`);
}

async function checkEvents(events: Json[], alg: HashAlg, at: string, r: Report): Promise<{ c: OeChainChecker; stored: string; recomputed: string } | null> {
    if (!(await hashAvailable(alg))) {
        r.fail('hash_algorithm', 'hash_unsupported', at, `${alg} is not available in this runtime (WebCrypto has no SHA-3)`);
        return null;
    }
    const c = await OeChainChecker.create(alg, at, r);
    for (const ev of events) {
        const p = c.step(ev);
        if (p) await p;
    }
    return { c, ...(await c.finish()) };
}

function integritySummary(c: OeChainChecker, at: string, r: Report): void {
    if (!c.integrityOk) return;
    r.pass('events', at, `${c.count} events: seq 1..${c.count}, the genesis hash, every link and every ${c.alg} event hash checked`);
}

function chainHashChecks(r: Report, check: string, at: string, expected: Json | undefined, stored: string, recomputed: string, what: string): void {
    const sOk = expected === stored;
    r.addCheck(check, sOk, 'chain_hash_mismatch', at, sOk ? `${what} equals the hash of the stored event hashes`
        : `${what} is not the hash of the stored event hashes (computed ${stored.slice(0, 16)}...)`);
    if (recomputed) {
        const ok = expected === recomputed;
        r.addCheck(`${check}.recomputed`, ok, 'chain_hash_recomputed_mismatch', at, ok ? `${what} equals the hash of the recomputed event hashes`
            : `${what} is not the hash of the recomputed event hashes (computed ${recomputed.slice(0, 16)}...): an event's content differs from what was hashed`);
    }
}

function sigLookup(name: Json | undefined): SigAlg | null {
    return typeof name === 'string' && isSigAlg(name) ? name : null;
}

async function issuerKey(b: JsonObject, o: OeVerifyOptions, sigAlg: SigAlg, sigAlgOk: boolean, r: Report): Promise<{ key: Key; source: string } | null> {
    const pk = get(b, 'public_key');
    if (pk === undefined) return null;
    let owned: Key;
    try {
        owned = await oeKeyParse(pk);
    } catch (e) {
        if (!(e instanceof ProvaError)) throw e;
        r.fail('public_key', e.code || 'key_invalid', '/public_key', `the public key cannot be used: ${e.message || 'malformed'}`);
        return null;
    }
    if (sigAlgOk && owned.alg !== sigAlg) {
        r.fail('public_key', 'key_algorithm_mismatch', '/public_key', `the public key is ${owned.alg}, the chain's signature_algorithm is ${sigAlg}`);
        return null;
    }
    const trusted = o.keys?.size ?? 0;
    if (trusted) {
        const t = o.keys!.findPublic(owned);
        if (!t) {
            r.fail('public_key', 'key_not_trusted', '/public_key',
                `the bundle's public key (${owned.kid}) is not one of the ${trusted} trusted keys; ${o.keys!.describe()}`);
            return null;
        }
        r.pass('public_key', '/public_key', `the bundle's key ${t.key.kid} is trusted (${t.source})`);
        return t;
    }
    r.addWarning('key_from_bundle', '/public_key',
        `the issuer key ${owned.kid} came from the bundle itself: this proves the bundle is intact and signed by that key; pin the issuer's key (--key/--jwks) to prove who signed it`);
    return { key: owned, source: 'bundle:public_key' };
}

function checkCertificateVsChain(cert: JsonObject, chain: JsonObject, events: Json[] | null, r: Report): void {
    if (get(cert, 'version') !== '1.0')
        r.fail('certificate.version', 'unsupported_certificate_version', '/certificate/version', 'certificate_data version must be "1.0"');
    const cid = get(cert, 'chain_id'), id = get(chain, 'id');
    if (cid !== undefined && id !== undefined) {
        const ok = strSame(cid, id);
        r.addCheck('certificate.chain_id', ok, 'chain_id_mismatch', '/certificate/chain_id',
            ok ? 'the certificate names this chain' : "the certificate's chain_id is not chain.id");
    }
    if (events) {
        const cnt = get(cert, 'event_count');
        const ok = cnt instanceof JsonNumber && cnt.isInt && /^-?\d+$/.test(cnt.token) && BigInt(cnt.token) === BigInt(events.length);
        r.addCheck('certificate.event_count', ok, 'event_count_mismatch', '/certificate/event_count',
            ok ? `event_count is the number of events (${events.length})` : `event_count is not the number of events in the chain (${events.length})`);
    }
    const sums = get(cert, 'events');
    if (events && sums !== undefined) {
        let bad = 0, first = 0;
        const shape = Array.isArray(sums) && sums.length === events.length;
        if (shape) {
            for (let i = 0; i < sums.length; i++) {
                const s = sums[i], e = events[i];
                let same = true;
                for (const k of ['seq', 'event_type', 'actor_id', 'sentiment']) {
                    const a = get(s, k), b = get(e, k);
                    if (k === 'sentiment' && b === undefined) continue;
                    if ((a === undefined ? '' : jcs(a)) !== (b === undefined ? '' : jcs(b))) same = false;
                }
                if (!same && bad++ === 0) first = i;
            }
        }
        const ok = shape && bad === 0;
        r.addCheck('certificate.events', ok, 'certificate_events_mismatch', ok ? '/certificate/events' : `/certificate/events/${first}`,
            ok ? "the certificate's event summaries match the events"
                : !shape ? 'the certificate lists a different number of events than the chain'
                    : `${bad} event summaries differ from the events (first: event ${first})`);
    }
    for (const [ck, chk, time] of [['chain_type', 'chain_type', false], ['chain_created_at', 'created_at', true], ['chain_resolved_at', 'resolved_at', true]] as const) {
        const a = get(cert, ck), b = get(chain, chk);
        if (a === undefined || b === undefined) continue;
        let ok: boolean;
        if (time) {
            const ta = typeof a === 'string' ? oeTimestampText(a) : null, tb = typeof b === 'string' ? oeTimestampText(b) : null;
            ok = ta !== null && tb !== null && ta === tb;
        } else ok = strSame(a, b);
        if (!ok) r.fail('certificate.chain', 'certificate_chain_mismatch', `/certificate/${ck}`, `the certificate's ${ck} differs from the chain's ${chk}`);
    }
}

/** prova_oe_timestamp on a string: the .sssZ form, or null. */
export function oeTimestampText(s: string): string | null {
    return oeTimestamp(s);
}

function sameSignature(a: Json | undefined, b: Json | undefined): boolean {
    const x = oeSigDecode(a), y = oeSigDecode(b);
    return x !== null && y !== null && x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The status block's signed bytes: its JCS form without "signature". */
export function oeStatusSigningInput(st: JsonObject): string {
    const o: JsonObject = Object.create(null);
    for (const k of Object.keys(st)) if (k !== 'signature') o[k] = st[k]!;
    return jcs(o);
}

async function checkStatus(b: JsonObject, key: Key | null, r: Report): Promise<void> {
    const st = get(b, 'status');
    if (st === undefined) {
        r.addWarning('status_unknown', '', 'the bundle carries no status block: whether the certificate was revoked or superseded cannot be seen offline; ask the issuer\'s live API');
        return;
    }
    const s = get(st, 'status');
    if (!isJsonObject(st) || !(s === 'active' || s === 'revoked' || s === 'superseded')) {
        r.fail('status', 'status_invalid', '/status', 'status must be an object whose status is active, revoked or superseded');
        return;
    }
    let bound = sameSignature(get(st, 'certificate_signature'), get(b, 'certificate_signature'));
    const sid = get(st, 'certificate_id'), bid = get(b, 'certificate_id');
    if (sid !== undefined && bid !== undefined && !strSame(sid, bid)) bound = false;
    r.addCheck('status.binding', bound, 'status_mismatch', '/status', bound ? 'the status block names this certificate' : 'the status block belongs to another certificate');
    if (key) {
        const raw = oeSigDecode(get(st, 'signature'));
        const ok = raw !== null && (await key.verify(oeStatusSigningInput(st), raw));
        r.addCheck('status.signature', ok, 'status_signature_invalid', '/status/signature',
            ok ? 'the status block is signed by the issuer key' : "the status block's signature does not verify with the issuer key");
    }
    const upd = get(st, 'updated_at');
    const when = typeof upd === 'string' ? upd.slice(0, 40) : '?';
    if (s === 'revoked') {
        const why = get(st, 'revocation_reason');
        r.fail('status', 'certificate_revoked', '/status/status', `the certificate was revoked at ${when}${typeof why === 'string' ? ': ' + why.slice(0, 200) : ''}`);
    } else if (s === 'superseded') {
        const by = get(st, 'superseded_by');
        r.fail('status', 'certificate_superseded', '/status/status', `the certificate was superseded at ${when} by ${typeof by === 'string' ? by.slice(0, 100) : '?'}`);
    } else {
        r.pass('status', '/status/status', `active as of ${when}`);
        r.addWarning('status_offline', '/status', "the status block is the status when the bundle was written; the issuer's live status is authoritative");
    }
}

// ---- attestations (attest.c) ----

/** prova_oe_merkle_root: RFC 6962 root over hex leaves (an odd last node promoted); no leaves: the genesis.
 *  Throws oe_leaf_invalid for a leaf that is not hex. */
export async function oeMerkleRoot(alg: HashAlg, leaves: string[]): Promise<string> {
    if (leaves.length === 0) return oeGenesis(alg);
    let nodes: Uint8Array[] = [];
    for (const l of leaves) {
        if (l.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(l)) throw new ProvaError('oe_leaf_invalid', 'a leaf is not hex');
        const b = new Uint8Array(1 + l.length / 2);
        b.set(unhex(l.toLowerCase()), 1);
        nodes.push(await hash(alg, b));
    }
    while (nodes.length > 1) {
        const next: Uint8Array[] = [];
        for (let i = 0; i < nodes.length; i += 2) {
            if (i + 1 === nodes.length) { next.push(nodes[i]!); continue; }
            const b = new Uint8Array(1 + 2 * nodes[i]!.length);
            b[0] = 1;
            b.set(nodes[i]!, 1);
            b.set(nodes[i + 1]!, 1 + nodes[i]!.length);
            next.push(await hash(alg, b));
        }
        nodes = next;
    }
    return hex(nodes[0]!);
}

/** Verifies one attestation (ContentIntegrity, Timestamp, Blockchain) as the SDKs: valid, and the SDK's reason. */
export async function oeAttestation(att: Json, alg: HashAlg, key: Key | null, expectedChainHash: string): Promise<{ valid: boolean; reason: string | null }> {
    const either = (a: string, b: string): Json | undefined => (jsTruthy(get(att, a)) ? get(att, a) : get(att, b));
    const type = get(att, 'type');
    const bad = (reason: string) => ({ valid: false, reason });
    if (!jsTruthy(type)) return bad('Missing attestation type');
    if (type === 'ContentIntegrity') {
        const root = either('root_hash', 'merkle_root');
        if (!jsTruthy(root)) return bad('Missing root_hash/merkle_root');
        const ha = get(att, 'hash_algorithm');
        let a = alg;
        if (jsTruthy(ha)) {
            const l = oeHashLookup(ha);
            if (!l) return bad('Unsupported hash algorithm');
            a = l;
        }
        const leaves = either('leaves', 'leaf_hashes');
        const list: string[] = [];
        for (const l of Array.isArray(leaves) ? leaves : []) {
            if (typeof l !== 'string' || l.includes('\0')) return bad('Invalid leaf hash');
            list.push(l);
        }
        let computed: string;
        try {
            computed = await oeMerkleRoot(a, list);
        } catch (e) {
            if (e instanceof ProvaError && e.code === 'oe_leaf_invalid') return bad('Invalid leaf hash');
            throw e;
        }
        return { valid: root === computed, reason: null };
    }
    if (type === 'Timestamp') {
        if (!jsTruthy(either('timestamp', 'anchored_at')) || !jsTruthy(either('hash', 'anchor_hash')))
            return bad('Missing timestamp/anchored_at or hash/anchor_hash');
        let valid = true;
        if (jsTruthy(get(att, 'timestamp')) && jsTruthy(get(att, 'hash'))) {
            const text = jsString(get(att, 'timestamp'));
            valid = get(att, 'hash') === hex(await hash(alg, text));
            const st = get(att, 'signed_timestamp');
            if (jsTruthy(st) && key) {
                const sig = oeSigDecode(st);
                valid = valid && sig !== null && (await key.verify(text, sig));
            }
        }
        return { valid, reason: null };
    }
    if (type === 'Blockchain') {
        if (!jsTruthy(get(att, 'tx_hash'))) return bad('Missing tx_hash');
        const h = either('chain_hash', 'head_hash');
        let valid = true;
        if (jsTruthy(h) && expectedChainHash) valid = h === expectedChainHash;
        return { valid, reason: null };
    }
    return bad('Unknown attestation type');
}

// ---- bundles ----

async function verifyBundle(b: JsonObject, o: OeVerifyOptions, r: Report): Promise<void> {
    const cert = get(b, 'certificate'), sig = get(b, 'certificate_signature'), pk = get(b, 'public_key');
    const chain = get(b, 'chain'), atts = get(b, 'attestations');
    const ha = get(chain, 'hash_algorithm');
    const algOrNull = chainAlg(ha, false, undefined, o, '/chain/hash_algorithm', r);
    const algOk = algOrNull !== null;
    const alg: HashAlg = algOrNull ?? 'sha256';
    let sigAlg: SigAlg = 'ed25519';
    let sigAlgOk = true;
    const sa = get(chain, 'signature_algorithm');
    if (jsTruthy(sa)) {
        const s = sigLookup(sa);
        if (s) sigAlg = s;
        else {
            sigAlgOk = false;
            r.fail('signature_algorithm', 'unsupported_signature_algorithm', '/chain/signature_algorithm',
                'signature_algorithm must be ed25519, ed448, ecdsa-p256, ecdsa-p384 or ecdsa-p521');
        }
    }
    const canon = get(chain, 'canonicalization');
    if (canon !== undefined && canon !== 'jcs')
        r.fail('canonicalization', 'unsupported_canonicalization', '/chain/canonicalization', 'canonicalization must be "jcs" (the only one defined)');

    // 1. The signature.
    let sigOk = false;
    let key: Key | null = null;
    if (!jsTruthy(cert) || !jsTruthy(sig) || !jsTruthy(pk)) {
        r.fail('schema', 'schema_error', '', 'a bundle needs certificate, certificate_signature and public_key');
    } else {
        const signed = jcs(cert!);
        const ik = await issuerKey(b, o, sigAlg, sigAlgOk, r);
        if (ik && sigAlgOk) {
            key = ik.key;
            const raw = oeSigDecode(sig);
            if (raw === null) {
                r.fail('certificate_signature', 'signature_encoding', '/certificate_signature', 'certificate_signature is not hex (an optional oe_sig_ prefix is accepted)');
            } else {
                sigOk = await key.verify(signed, raw);
                const n = utf8Len(signed);
                r.addCheck('certificate_signature', sigOk, 'signature_invalid', '/certificate_signature', sigOk
                    ? `${key.alg} signature over the ${n}-byte JCS certificate_data verifies with ${key.kid}`
                    : `the ${key.alg} signature over the ${n}-byte JCS certificate_data does not verify with ${key.kid}`);
                if (sigOk) r.addKey(key.kid, ik.source);
            }
        } else if (ik) key = ik.key;
    }

    // 2-3. Integrity and the chain hash.
    const events = get(chain, 'events');
    let haveEvents = jsTruthy(events);
    let checked: { c: OeChainChecker; stored: string; recomputed: string } | null = null;
    if (haveEvents && !Array.isArray(events)) {
        r.fail('schema', 'schema_error', '/chain/events', 'chain.events must be an array');
        haveEvents = false;
    }
    if (haveEvents && algOk) {
        checked = await checkEvents(events as Json[], alg, '/chain/events', r);
        if (checked) {
            integritySummary(checked.c, '/chain/events', r);
            const expected = get(cert, 'chain_hash');
            chainHashChecks(r, 'chain_hash', '/certificate/chain_hash', expected, checked.stored, checked.recomputed, "the certificate's chain_hash");
            const rec = get(chain, 'chain_hash');
            if (rec !== undefined && rec !== null) {
                const ok = strSame(rec, expected);
                r.addCheck('chain.chain_hash', ok, 'chain_record_hash_mismatch', '/chain/chain_hash',
                    ok ? "the chain record's chain_hash equals the certificate's" : "the chain record's chain_hash differs from the certificate's");
            }
        }
    } else if (!haveEvents) {
        r.fail('schema', 'schema_error', '/chain', 'the bundle has no chain events: the certificate cannot be checked against them');
    }
    if (isJsonObject(cert)) checkCertificateVsChain(cert, isJsonObject(chain) ? chain : cert, Array.isArray(events) ? events : null, r);

    // 4. Status (prova's: the SDKs have none).
    await checkStatus(b, sigOk ? key : null, r);

    // 5. Attestations.
    const list = Array.isArray(atts) ? atts : [];
    for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        const { valid } = await oeAttestation(a, alg, key, checked?.stored ?? '');
        const t = get(a, 'type');
        r.addCheck(`attestations[${i}]`, valid, 'attestation_invalid', `/attestations/${i}`,
            `${typeof t === 'string' ? t : 'attestation'} ${valid ? 'verifies' : 'does not verify'}`);
    }

    // Fields no signature covers.
    let unauth = checked ? reportEventExtras(checked.c, true, r) : 0;
    if (isJsonObject(chain)) {
        for (const f of ['status', 'certified_at', 'updated_at', 'protocol_version', 'origin_type', 'origin_id']) {
            if (get(chain, f) === undefined) continue;
            r.addUnauthenticated(`/chain/${f}`);
            unauth++;
        }
    }
    if (get(b, 'certificate_id') !== undefined && get(b, 'status') === undefined) {
        r.addUnauthenticated('/certificate_id');
        unauth++;
    }
    unauthenticatedWarning(r, '', unauth, checked ? checked.c.extraMore : 0,
        'of the bundle are covered neither by the certificate signature nor by an event hash');
}

// ---- chain records, event arrays, JSON Lines ----

function unsignedWarning(r: Report): void {
    r.addWarning('unsigned', '', 'no signature covers these events: the checks prove they are linked and unaltered relative to each other, not who recorded them (a certificate does)');
}

function eventsUnauthenticated(c: OeChainChecker, r: Report): void {
    const n = reportEventExtras(c, false, r);
    unauthenticatedWarning(r, c.at, n, c.extraMore, 'of the events are outside the event hash, which is all that links them');
}

async function verifyChainRecord(chain: JsonObject, o: OeVerifyOptions, r: Report): Promise<void> {
    const events = chain['events'] as Json[];
    const alg = chainAlg(get(chain, 'hash_algorithm'), false, undefined, o, '/hash_algorithm', r);
    if (!alg) return;
    const canon = get(chain, 'canonicalization');
    if (canon !== undefined && canon !== 'jcs') r.fail('canonicalization', 'unsupported_canonicalization', '/canonicalization', 'canonicalization must be "jcs"');
    const status = get(chain, 'status');
    if (!(status === undefined || status === 'open' || status === 'resolved' || status === 'certified' || status === 'revoked'))
        r.fail('status', 'status_invalid', '/status', 'status must be open, resolved, certified or revoked');
    const ck = await checkEvents(events, alg, '/events', r);
    if (!ck) return;
    integritySummary(ck.c, '/events', r);
    const ch = get(chain, 'chain_hash');
    if (ch !== undefined && ch !== null) chainHashChecks(r, 'chain_hash', '/chain_hash', ch, ck.stored, ck.recomputed, 'chain_hash');
    else if (status !== undefined && status !== 'open') r.fail('chain_hash', 'chain_hash_missing', '/chain_hash', 'a chain that is no longer open must carry its chain_hash');
    else r.pass('chain_hash', '/chain_hash', `open chain: its current ${alg} chain hash is ${ck.stored}`);
    const cnt = get(chain, 'event_count');
    if (cnt !== undefined) {
        const ok = cnt instanceof JsonNumber && cnt.isInt && /^-?\d+$/.test(cnt.token) && BigInt(cnt.token) === BigInt(events.length);
        r.addCheck('event_count', ok, 'event_count_mismatch', '/event_count',
            ok ? 'event_count is the number of events' : `event_count is not the number of events (${events.length})`);
    }
    unsignedWarning(r);
    eventsUnauthenticated(ck.c, r);
}

async function finishEvents(ck: { c: OeChainChecker; stored: string }, r: Report): Promise<void> {
    integritySummary(ck.c, '', r);
    if (ck.c.integrityOk) r.pass('chain_hash', '', `the ${ck.c.alg} chain hash of these events is ${ck.stored}`);
    unsignedWarning(r);
    eventsUnauthenticated(ck.c, r);
}

async function verifyEvents(events: Json[], o: OeVerifyOptions, r: Report): Promise<void> {
    const alg = chainAlg(undefined, true, events[0], o, '', r);
    if (!alg) return;
    const ck = await checkEvents(events, alg, '', r);
    if (ck) await finishEvents(ck, r);
}

/** prova_oe_verify_doc: an offline bundle, a chain record or an array of events, into r (kind oe_bundle, oe_chain,
 *  oe_events). */
export async function verifyOe(doc: Json, o: OeVerifyOptions = {}, r: Report = new Report()): Promise<Report> {
    if (isOeBundle(doc)) {
        r.setKind('oe_bundle');
        await verifyBundle(doc as JsonObject, o, r);
    } else if (isOeChainRecord(doc)) {
        r.setKind('oe_chain');
        await verifyChainRecord(doc as JsonObject, o, r);
    } else if (isOeEvents(doc)) {
        r.setKind('oe_events');
        await verifyEvents(doc as Json[], o, r);
    } else {
        r.setOutcome('unknown_kind');
        r.fail('kind', 'schema_error', '', 'not an OpenExecution document: expected a bundle, a chain record or events');
    }
    return r;
}

/** prova_oe_verify_jsonl: OE events as JSON Lines (one event per line; blank lines skipped). A line that does not
 *  parse adds a failed "parse" check, sets the outcome bad_input and throws its ProvaError. */
export async function verifyOeLines(text: string | Uint8Array, o: OeVerifyOptions = {}, r: Report = new Report()): Promise<Report> {
    const s = typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: false }).decode(text);
    r.setKind('oe_events');
    let c: OeChainChecker | null = null;
    let lineNo = 0, pos = 0;
    while (pos < s.length) {
        let e = s.indexOf('\n', pos);
        if (e < 0) e = s.length;
        const raw = s.slice(pos, e);
        pos = e + 1;
        lineNo++;
        const line = raw.replace(/^[ \t\r]+/, '').replace(/[ \t\r]+$/, '');
        if (line === '') continue;
        let ev: Json;
        try {
            ev = parse(line);
        } catch (err) {
            if (!(err instanceof ProvaError)) throw err;
            r.fail('parse', err.code, err.pointer ?? '', `line ${lineNo}: ${err.message}`);
            r.setOutcome('bad_input');
            throw err;
        }
        if (!c) {
            const alg = chainAlg(undefined, true, ev, o, '', r);
            if (!alg) return r;
            if (!(await hashAvailable(alg))) {
                r.fail('hash_algorithm', 'hash_unsupported', '', `${alg} is not available in this runtime (WebCrypto has no SHA-3)`);
                return r;
            }
            c = await OeChainChecker.create(alg, '', r);
        }
        const p = c.step(ev);
        if (p) await p;
    }
    if (!c) {
        r.fail('events', 'schema_error', '', 'no events in the input');
        return r;
    }
    const { stored } = await c.finish();
    await finishEvents({ c, stored }, r);
    return r;
}

// ---- building (src/lib/oe/chain.c, cert.c) ------------------------------------------------------------------------

const CHAIN_TYPES = ['resource_audit', 'manual', 'incident_response', 'compliance_report'];
const SENTIMENTS = ['positive', 'negative', 'neutral'];

/** prova__oe_text_ok: a string of 1..max UTF-8 bytes (no lone surrogates). */
function textOk(s: unknown, max: number): s is string {
    if (typeof s !== 'string' || s.length === 0) return false;
    if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) return false;
    return utf8Len(s) <= max;
}

function uuidV4(): string {
    const b = randomBytes(16);
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = hex(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function ts(s: unknown, code: string, what: string): string {
    const t = typeof s === 'string' ? oeTimestamp(s) : null;
    if (t === null) throw new ProvaError(code, what);
    return t;
}

const num = (n: number): JsonNumber => new JsonNumber(String(n));

/** prova__oe_rewrite: obj with the given members replaced or added, as JCS text. */
function rewrite(obj: JsonObject, set: Record<string, Json>): string {
    const o: JsonObject = Object.create(null);
    for (const k of Object.keys(obj)) if (!Object.prototype.hasOwnProperty.call(set, k)) o[k] = obj[k]!;
    for (const k of Object.keys(set)) o[k] = set[k]!;
    return jcs(o);
}

export interface OeChainParams {
    /** The chain id (1-256 bytes; default: a random UUID v4). */
    id?: string;
    /** resource_audit, manual (default), incident_response or compliance_report. */
    chainType?: string;
    originType?: string;
    /** Default: the chain id. */
    originId?: string;
    /** RFC 3339 with an offset (written as .sssZ). */
    createdAt: string;
    /** Default sha256. */
    hashAlg?: string;
    /** Default ed25519: the algorithm of every certificate of this chain. */
    sigAlg?: string;
}

/** prova_oe_chain_new: a new open chain record, JCS text (what `prova oe new` writes, without its newline). */
export function oeChainNew(p: OeChainParams): string {
    const ct = p.chainType ?? 'manual';
    if (!CHAIN_TYPES.includes(ct))
        throw new ProvaError('oe_chain_type', 'chain_type must be resource_audit, manual, incident_response or compliance_report');
    const alg = oeHashLookup(p.hashAlg ?? 'sha256');
    const sig = p.sigAlg ?? 'ed25519';
    if (!alg || !isSigAlg(sig)) throw new ProvaError('unsupported_algorithm', 'unknown hash or signature algorithm');
    if (p.id !== undefined && !textOk(p.id, 256)) throw new ProvaError('oe_chain_id', 'the chain id must be 1-256 bytes of UTF-8');
    const id = p.id ?? uuidV4();
    const originType = p.originType ?? 'manual', originId = p.originId ?? id;
    if (!textOk(originType, 32) || !textOk(originId, 256)) throw new ProvaError('oe_origin', 'origin_type must be 1-32 bytes and origin_id 1-256');
    const created = ts(p.createdAt, 'oe_timestamp_invalid', 'created_at must be an RFC 3339 timestamp');
    return jcs({
        canonicalization: 'jcs', certified_at: null, chain_hash: null, chain_type: ct, created_at: created, event_count: num(0),
        events: [], hash_algorithm: alg, id, origin_id: originId, origin_type: originType, protocol_version: 'oe-provenance:1.0-alpha',
        resolved_at: null, signature_algorithm: sig, status: 'open', updated_at: created,
    } as unknown as Json);
}

export interface OeEventParams {
    eventType: string;
    actorId?: string;
    actorType?: string;
    /** positive, negative or neutral (default). */
    sentiment?: string;
    createdAt: string;
    /** Default {}. */
    payload?: Json;
    /** The event id (default: a random UUID v4). */
    id?: string;
}

/** prova_oe_event_build: the next event after prev (null: the first), linked and hashed, as JCS text. */
export async function oeEventBuild(chainId: string | null, alg: HashAlg, prev: Json | null, p: OeEventParams): Promise<string> {
    if (!textOk(p.eventType, 64)) throw new ProvaError('oe_event_type', 'event_type must be 1-64 bytes of UTF-8');
    if (p.actorId !== undefined && !textOk(p.actorId, 512)) throw new ProvaError('oe_actor_id', 'actor_id must be 1-512 bytes of UTF-8');
    if (p.actorType !== undefined && !textOk(p.actorType, 64)) throw new ProvaError('oe_actor_type', 'actor_type must be 1-64 bytes of UTF-8');
    const sentiment = p.sentiment ?? 'neutral';
    if (!SENTIMENTS.includes(sentiment)) throw new ProvaError('oe_sentiment', 'sentiment must be positive, negative or neutral');
    if (chainId !== null && !textOk(chainId, 256)) throw new ProvaError('oe_chain_id', 'the chain id must be 1-256 bytes of UTF-8');
    const created = ts(p.createdAt, 'oe_timestamp_invalid', 'created_at must be an RFC 3339 timestamp with an offset');
    if (p.id !== undefined && !textOk(p.id, 256)) throw new ProvaError('oe_event_id', 'the event id must be 1-256 bytes of UTF-8');
    let seq = 1n;
    let prevHash = oeGenesis(alg);
    if (prev !== null) {
        const s = get(prev, 'seq'), ph = get(prev, 'event_hash');
        const sv = s instanceof JsonNumber && s.isInt && /^-?\d+$/.test(s.token) ? BigInt(s.token) : null;
        if (sv === null || sv < 1n || sv >= 2147483647n || typeof ph !== 'string' || ph.length !== HEX_LEN[alg] || utf8Len(ph) !== ph.length)
            throw new ProvaError('oe_chain_invalid', "the chain's last event has no valid seq or event_hash for its hash algorithm");
        prevHash = ph;
        seq = sv + 1n;
    }
    const ev: JsonObject = Object.create(null);
    ev['actor_id'] = p.actorId ?? null;
    if (p.actorType !== undefined) ev['actor_type'] = p.actorType;
    if (chainId !== null) ev['chain_id'] = chainId;
    ev['created_at'] = created;
    ev['event_type'] = p.eventType;
    ev['id'] = p.id ?? uuidV4();
    ev['payload'] = p.payload === undefined ? Object.create(null) : p.payload;
    ev['prev_hash'] = prevHash;
    ev['seq'] = new JsonNumber(seq.toString());
    ev['sentiment'] = sentiment;
    jcs(ev); // a payload that cannot be written fails here, before hashing
    ev['event_hash'] = await oeEventHash(ev, alg);
    return jcs(ev);
}

function chainOpen(chain: Json, status: string, code: string, msg: string): asserts chain is JsonObject {
    if (!isJsonObject(chain) || !Array.isArray(chain['events']))
        throw new ProvaError('oe_schema', 'not a chain record: expected an object with an events array');
    if (get(chain, 'status') !== status) throw new ProvaError(code, msg);
}

function recordAlg(chain: JsonObject): HashAlg {
    const h = get(chain, 'hash_algorithm');
    if (h === undefined) return 'sha256';
    const a = oeHashLookup(h);
    if (!a) throw new ProvaError('unsupported_hash_algorithm', "the chain's hash_algorithm is not one of sha256, sha384, sha512, sha3-256/384/512");
    return a;
}

/** prova_oe_chain_append: the chain with one more event (JCS text) and the event (JCS text). */
export async function oeChainAppend(chain: Json, p: OeEventParams, updatedAt: string = p.createdAt): Promise<{ chain: string; event: string }> {
    chainOpen(chain, 'open', 'oe_chain_not_open', 'events can only be appended to an open chain');
    const alg = recordAlg(chain);
    const events = chain['events'] as Json[];
    const id = get(chain, 'id');
    const upd = ts(updatedAt, 'oe_timestamp_invalid', 'updated_at must be an RFC 3339 timestamp');
    const event = await oeEventBuild(typeof id === 'string' ? id : null, alg, events.length ? events[events.length - 1]! : null, p);
    const out = rewrite(chain, { event_count: num(events.length + 1), events: [...events, parse(event)], updated_at: upd });
    return { chain: out, event };
}

async function chainCheck(chain: JsonObject, alg: HashAlg): Promise<string> {
    const c = await OeChainChecker.create(alg, '/events', null);
    for (const ev of chain['events'] as Json[]) {
        const p = c.step(ev);
        if (p) await p;
    }
    const { stored } = await c.finish();
    if (!c.integrityOk) throw new ProvaError('oe_chain_invalid', 'the chain does not verify (run prova verify on it to see which event)');
    return stored;
}

/** prova_oe_chain_resolve: open -> resolved, with its chain hash (JCS text). */
export async function oeChainResolve(chain: Json, resolvedAt: string): Promise<string> {
    chainOpen(chain, 'open', 'oe_chain_not_open', 'only an open chain can be resolved');
    const alg = recordAlg(chain);
    const at = ts(resolvedAt, 'oe_timestamp_invalid', 'resolved_at must be an RFC 3339 timestamp');
    const h = await chainCheck(chain, alg);
    return rewrite(chain, {
        chain_hash: h, event_count: num((chain['events'] as Json[]).length), resolved_at: at, status: 'resolved', updated_at: at,
    });
}

export interface OeCertParams {
    artifactType: string;
    artifactRef: string;
    artifactTitle?: string;
    /** Default: the chain's. */
    originType?: string;
    originId?: string;
    issuedAt: string;
    /** Default: a random UUID v4. */
    certificateId?: string;
}

async function statusBlock(key: Key, certId: Json | undefined, certSig: string, status: string, at: string, extra: Record<string, string>): Promise<JsonObject> {
    const st: JsonObject = Object.create(null);
    st['certificate_signature'] = certSig;
    if (certId !== undefined) st['certificate_id'] = certId;
    st['status'] = status;
    st['updated_at'] = at;
    st['signature_algorithm'] = key.alg;
    for (const k of Object.keys(extra)) st[k] = extra[k]!;
    st['signature'] = hex(await key.sign(jcs(st)));
    return st;
}

/** prova_oe_certify: the offline bundle (JCS text) and the chain record marked certified (JCS text). */
export async function oeCertify(key: Key, chain: Json, p: OeCertParams): Promise<{ bundle: string; chain: string }> {
    if (!key.isPrivate) throw new ProvaError('key_not_private', 'issuing a certificate needs the private key');
    if (!textOk(p.artifactType, 64) || !textOk(p.artifactRef, 512) || (p.artifactTitle !== undefined && !textOk(p.artifactTitle, 500)))
        throw new ProvaError('oe_artifact', 'artifact_type (1-64 bytes) and artifact_ref (1-512) are required; artifact_title is at most 500 bytes');
    if ((p.originType !== undefined && !textOk(p.originType, 32)) || (p.originId !== undefined && !textOk(p.originId, 256)))
        throw new ProvaError('oe_origin', 'origin_type must be 1-32 bytes and origin_id 1-256');
    if (p.certificateId !== undefined && !textOk(p.certificateId, 256))
        throw new ProvaError('oe_certificate_id', 'the certificate id must be 1-256 bytes');
    const issued = ts(p.issuedAt, 'oe_timestamp_invalid', 'issued_at must be an RFC 3339 timestamp');
    chainOpen(chain, 'resolved', 'oe_chain_not_resolved', 'only a resolved chain can be certified (prova oe resolve first)');
    const alg = recordAlg(chain);
    const hash = await chainCheck(chain, alg);
    if (get(chain, 'chain_hash') !== hash) throw new ProvaError('chain_hash_mismatch', "the chain record's chain_hash is not the hash of its events");
    const sa = get(chain, 'signature_algorithm');
    let chainSig: SigAlg = 'ed25519';
    if (sa !== undefined) {
        const s = sigLookup(sa);
        if (!s) throw new ProvaError('unsupported_signature_algorithm', "the chain's signature_algorithm is not ed25519, ed448 or ecdsa-p256/p384/p521");
        chainSig = s;
    }
    if (chainSig !== key.alg) throw new ProvaError('key_algorithm_mismatch', "the key's algorithm is not the chain's signature_algorithm (fixed at creation)");
    const certId = p.certificateId ?? uuidV4();
    const time = (v: Json | undefined): Json => (typeof v === 'string' ? oeTimestamp(v) : null);
    const orNull = (v: Json | undefined): Json => (v === undefined ? null : v);
    const events = chain['events'] as Json[];
    const cert: JsonObject = Object.create(null);
    Object.assign(cert, {
        version: '1.0', artifact_ref: p.artifactRef,
        ...(p.artifactTitle !== undefined ? { artifact_title: p.artifactTitle } : {}),
        artifact_type: p.artifactType, chain_created_at: time(get(chain, 'created_at')), chain_hash: hash,
        chain_id: orNull(get(chain, 'id')), chain_resolved_at: time(get(chain, 'resolved_at')), chain_type: orNull(get(chain, 'chain_type')),
        event_count: num(events.length),
        events: events.map((e) => ({
            actor_id: orNull(get(e, 'actor_id')), event_type: orNull(get(e, 'event_type')),
            sentiment: get(e, 'sentiment') === undefined ? 'neutral' : get(e, 'sentiment')!, seq: orNull(get(e, 'seq')),
        })),
        issued_at: issued,
        origin_id: p.originId ?? orNull(get(chain, 'origin_id')),
        origin_type: p.originType ?? orNull(get(chain, 'origin_type')),
    });
    const certText = jcs(cert);
    const sig = hex(await key.sign(certText));
    const certified = rewrite(chain, { certified_at: issued, status: 'certified', updated_at: issued });
    const status = await statusBlock(key, certId, sig, 'active', issued, {});
    const bundle = jcs({
        certificate: cert, certificate_id: certId, certificate_signature: sig, chain: parse(certified),
        public_key: key.toPem(), status,
    } as unknown as Json);
    return { bundle, chain: certified };
}

export interface OeStatusParams {
    status: 'revoked' | 'superseded';
    at: string;
    reason?: string;
    /** The successor certificate id (superseded). */
    supersededBy?: string;
}

/** prova_oe_set_status: the bundle with a new signed status block (revoked or superseded, final), JCS text. A
 *  revocation also marks the bundle's chain record revoked (unsigned). */
export async function oeSetStatus(key: Key, bundle: Json, p: OeStatusParams): Promise<string> {
    if (!isJsonObject(bundle)) throw new ProvaError('invalid_argument', 'the bundle is not an object');
    if (p.status !== 'revoked' && p.status !== 'superseded')
        throw new ProvaError('oe_status_transition', 'a certificate can only become revoked or superseded (no way back to active)');
    const cur = get(bundle, 'status');
    if (cur !== undefined && get(cur, 'status') !== 'active')
        throw new ProvaError('oe_status_transition', 'the certificate is not active: revoked and superseded are final');
    const sig = get(bundle, 'certificate_signature');
    if (typeof sig !== 'string' || !isJsonObject(get(bundle, 'certificate')))
        throw new ProvaError('oe_schema', 'not a certificate bundle (certificate, certificate_signature)');
    if (!key.isPrivate) throw new ProvaError('key_not_private', "changing a status needs the issuer's private key");
    const pub = await oeKeyParse(get(bundle, 'public_key'));
    if (pub.alg !== key.alg || hex(pub.publicKey) !== hex(key.publicKey))
        throw new ProvaError('oe_key_mismatch', "the key is not the issuer's (the bundle's public_key)");
    const at = ts(p.at, 'oe_timestamp_invalid', 'the time must be an RFC 3339 timestamp');
    if (p.reason !== undefined && !textOk(p.reason, 4096)) throw new ProvaError('oe_reason', 'the reason must be 1-4096 bytes of UTF-8');
    if (p.status === 'superseded' && !textOk(p.supersededBy, 256))
        throw new ProvaError('oe_superseded_by', 'superseding needs the successor certificate id');
    const extra: Record<string, string> = {};
    if (p.status === 'revoked') {
        extra['revoked_at'] = at;
        if (p.reason !== undefined) extra['revocation_reason'] = p.reason;
    } else {
        extra['superseded_at'] = at;
        extra['superseded_by'] = p.supersededBy!;
        if (p.reason !== undefined) extra['supersession_reason'] = p.reason;
    }
    const status = await statusBlock(key, get(bundle, 'certificate_id'), sig, p.status, at, extra);
    const chain = get(bundle, 'chain');
    const set: Record<string, Json> = { status };
    if (p.status === 'revoked' && isJsonObject(chain)) set['chain'] = parse(rewrite(chain, { status: 'revoked', updated_at: at }));
    return rewrite(bundle, set);
}
