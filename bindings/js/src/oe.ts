// OpenExecution v2 (docs/openexecution.md; src/lib/oe/): event hash input and hashes (JCS), the genesis, the chain
// hash, and timestamps as JavaScript's toISOString() writes them.
//
// Status: hashing and chain building are complete and byte-exact (conformance signing.json: oe_event_hash,
// oe_chain). Certificates, bundles and the verifier of src/lib/oe/verify.c are not ported yet (see README).

import { ProvaError } from './errors.js';
import { JsonNumber, isJsonObject } from './json.js';
import type { Json, JsonObject } from './json.js';
import { canonicalString } from './canon.js';
import { hash, _hex as hex } from './crypto.js';
import type { HashAlg } from './crypto.js';

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

/** prova_oe_timestamp: created_at as new Date(v).toISOString() (strings in the accepted forms). */
export function oeTimestamp(v: Json | undefined): string | null {
    if (typeof v === 'string') {
        if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) && timeParse(v) !== null) return v;
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

/** prova__oe_is_bundle-like detection used by the dispatcher: an object with certificate, certificate_signature
 *  and chain (the SDKs' offline bundle). */
export function isOeBundle(doc: Json): boolean {
    return isJsonObject(doc) && 'certificate' in doc && 'chain' in doc && ('certificate_signature' in doc || 'signature' in doc);
}

/** A chain record (what `prova oe` keeps): an object with events (array) and hash_algorithm or chain_hash. */
export function isOeChainRecord(doc: Json): boolean {
    return isJsonObject(doc) && Array.isArray(doc['events']) && ('hash_algorithm' in doc || 'chain_hash' in doc);
}

export function isOe(doc: Json): boolean {
    return isOeBundle(doc) || isOeChainRecord(doc);
}
