// Ophamin proof records 1.0 (docs/proof.md; src/lib/proof/): the signed body, proof_id, the HMAC-SHA256 seal, the
// Ed25519 attestation, signing, and verification into the unified report with the C library's checks and codes.
//
// Records are parsed with NaN/Infinity and lone surrogates allowed (the ophamin profile keeps them, as Python's
// json does); the body's bytes are the ophamin canonical profile of the record minus signature, proof_id and
// attestation.

import { ProvaError } from './errors.js';
import { parse, JsonNumber, isJsonObject } from './json.js';
import type { Json, JsonObject } from './json.js';
import { canonicalize, canonicalString, quote } from './canon.js';
import { daysFromCivil, daysInMonth, isLeapYear } from './civil.js';
import { Key, KeySet, sha256, hmacSha256, ctEqual, _hex as hex, _unhex as unhex } from './crypto.js';

/** What the verifiers write into: report.ts's Report satisfies it. */
export interface ReportLike {
    addCheck(check: string, ok: boolean, code: string, at: string, message: string): void;
    addWarning(code: string, at: string, message: string): void;
    addKey?(kid: string, source: string): void;
    addUnauthenticated?(pointer: string): void;
    setKind?(kind: string): void;
    setOutcome?(outcome: string): void;
}

export const PROOF_DEFAULT_KEY = 'ophamin-scenario-proof-key';
const DEFAULT_KEY_BYTES = new TextEncoder().encode(PROOF_DEFAULT_KEY);

/** Parses a proof record as the C library does (NaN, Infinity and lone surrogates allowed). */
export function parseProof(text: string | Uint8Array): Json {
    return parse(text, { allowNonfinite: true, allowLoneSurrogates: true });
}

/** Detection (prova_proof_detect): an object with string schema_version and object identity, claim, verdict. */
export function isProof(doc: unknown): boolean {
    if (!isJsonObject(doc as Json)) return false;
    const d = doc as JsonObject;
    return typeof d['schema_version'] === 'string' && isJsonObject(d['identity']) && isJsonObject(d['claim']) && isJsonObject(d['verdict']);
}

const OUTSIDE = new Set(['signature', 'proof_id', 'attestation']);

function asRecord(record: Json | string | Uint8Array): JsonObject {
    const r = typeof record === 'string' || record instanceof Uint8Array ? parseProof(record) : record;
    if (!isJsonObject(r)) throw new ProvaError('proof_not_object', 'a proof record must be a JSON object');
    return r;
}

/** The signed body's bytes: the ophamin canonical form of the record minus signature, proof_id, attestation. */
export function proofBody(record: Json | string | Uint8Array): Uint8Array {
    const r = asRecord(record);
    const body: JsonObject = Object.create(null) as JsonObject;
    for (const k of Object.keys(r)) if (!OUTSIDE.has(k)) body[k] = r[k]!;
    return canonicalize(body, 'ophamin');
}

/** proof_id: lowercase hex SHA-256 of the body. */
export async function proofId(record: Json | string | Uint8Array): Promise<string> {
    return hex(await sha256(proofBody(record)));
}

/** The key a sign_key_b64 names, as the reference's decode_sign_key (CPython 3.11 strict base64, with its quirks):
 *  "" is the default key (isDefault). Throws proof_key_b64_invalid. */
export function proofKeyDecode(b64: string): { key: Uint8Array; isDefault: boolean } {
    if (b64 === '') return { key: DEFAULT_KEY_BYTES.slice(), isDefault: true };
    const bad = (offset: number, why: string): never => {
        throw new ProvaError('proof_key_b64_invalid', `sign_key_b64 must be valid standard base64: ${why}`, { offset, line: 1, column: offset + 1 });
    };
    if (b64[0] === '=') bad(0, 'Leading padding not allowed');
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const bytes = new TextEncoder().encode(b64);
    const out: number[] = [];
    let quad = 0, pads = 0, left = 0, padding = false;
    for (let i = 0; i < bytes.length; i++) {
        const c = bytes[i]!;
        if (c === 0x3d) {
            padding = true;
            if (quad >= 2 && quad + ++pads >= 4) {
                if (i + 1 < bytes.length) bad(i + 1, 'Excess data after padding');
                quad = 0;
                break;
            }
            continue;
        }
        const v = c < 0x80 ? A.indexOf(String.fromCharCode(c)) : -1;
        if (v < 0) bad(i, 'Only base64 data is allowed');
        if (padding) bad(i, 'Discontinuous padding not allowed');
        pads = 0;
        if (quad === 0) { left = v; quad = 1; }
        else if (quad === 1) { out.push(((left << 2) | (v >> 4)) & 0xff); left = v & 0x0f; quad = 2; }
        else if (quad === 2) { out.push(((left << 4) | (v >> 2)) & 0xff); left = v & 0x03; quad = 3; }
        else { out.push(((left << 6) | v) & 0xff); left = 0; quad = 0; }
    }
    if (quad !== 0)
        bad(bytes.length, quad === 1 ? 'the number of data characters cannot be 1 more than a multiple of 4' : 'Incorrect padding');
    const key = Uint8Array.from(out);
    return { key, isDefault: false };
}

const SECTION_ORDER = ['schema_version', 'identity', 'claim', 'preregistration', 'data', 'evidence', 'verdict', 'reproduction', 'provenance'];

function cmpCp(a: string, b: string): number {
    // code point order (= UTF-8 byte order); the ophamin profile sorts keys so
    const x = Array.from(a), y = Array.from(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
        if (d) return d;
    }
    return x.length - y.length;
}

export interface ProofSignOptions {
    /** The HMAC key; undefined = the default key. */
    hmacKey?: Uint8Array;
    /** An Ed25519 private key: adds the attestation. */
    attestKey?: Key;
    author?: string;
}

/** Signs a record as prova_proof_sign: the text of {"proof_id", the nine sections, other body members (code point
 *  order), "signature", "attestation"?}, values in the ophamin canonical form. */
export async function proofSign(record: Json | string | Uint8Array, o: ProofSignOptions = {}): Promise<string> {
    const r = asRecord(record);
    const key = o.hmacKey ?? DEFAULT_KEY_BYTES;
    if (o.attestKey && (o.attestKey.alg !== 'ed25519' || !o.attestKey.isPrivate))
        throw new ProvaError('proof_attest_key_invalid', 'the attestation key must be an Ed25519 private key');
    if (o.attestKey && (typeof o.author !== 'string' || o.author === '' || /[\ud800-\udfff]/.test(o.author.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))))
        throw new ProvaError('proof_author_invalid', 'an attestation needs a non-empty UTF-8 author');
    const body = proofBody(r);
    const id = hex(await sha256(body));
    const mac = hex(await hmacSha256(key, body));
    let s = `{"proof_id":"${id}"`;
    for (const k of SECTION_ORDER) if (k in r) s += `,"${k}":` + canonicalString(r[k], 'ophamin');
    const others = Object.keys(r).filter((k) => !OUTSIDE.has(k) && !SECTION_ORDER.includes(k)).sort(cmpCp);
    for (const k of others) s += ',' + quote(k, 'ophamin') + ':' + canonicalString(r[k], 'ophamin');
    s += `,"signature":"${mac}"`;
    if (o.attestKey) {
        const sig = await o.attestKey.sign(body);
        s += `,"attestation":{"author":${quote(o.author!, 'ophamin')},"algorithm":"ed25519","public_key":"${hex(o.attestKey.publicKey)}","signature":"${hex(sig)}"}`;
    }
    return s + '}';
}

// ---- Python semantics ---------------------------------------------------------------------------------------

function isNum(v: Json | undefined): v is JsonNumber {
    return v instanceof JsonNumber;
}

function pyFloat(v: Json | undefined): number | null {
    if (!isNum(v)) return null;
    return v.valueOf(); // an integer beyond the double range is ±Infinity, as float() would overflow... (Number does)
}

function typeName(v: Json | undefined): string {
    if (v === null) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (isNum(v)) return 'a number';
    if (typeof v === 'string') return 'a string';
    if (Array.isArray(v)) return 'an array';
    return 'an object';
}

function pyBlank(s: string): boolean {
    return /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(s);
}

const isLowerHex = (v: Json | undefined, n: number): v is string => typeof v === 'string' && v.length === n && /^[0-9a-f]*$/.test(v);

// CPython 3.11 datetime.fromisoformat, as src/lib/proof/proof.c ports it: microseconds since an epoch, aware or not.
export function pyIsoformat(str: string): { us: bigint; aware: boolean } | null {
    const s = new TextEncoder().encode(str);
    const n = s.length;
    const at = (i: number): number => (i < n ? s[i]! : 0);
    const isD = (c: number): boolean => c >= 0x30 && c <= 0x39;
    const digits = (p: { v: number }, k: number): number | null => {
        let v = 0;
        for (let i = 0; i < k; i++) {
            const c = at(p.v + i);
            if (!isD(c)) return null;
            v = v * 10 + (c - 0x30);
        }
        p.v += k;
        return v;
    };
    const hmsf = (p0: number, end: number): { rv: number; h: number; mi: number; se: number; us: number } => {
        const p = { v: p0 };
        const vals = [0, 0, 0];
        let us = 0;
        let hasSep = true;
        const ret = (rv: number) => ({ rv, h: vals[0]!, mi: vals[1]!, se: vals[2]!, us });
        let broke = false;
        for (let i = 0; i < 3; i++) {
            const d = digits(p, 2);
            if (d === null) return ret(-3);
            vals[i] = d;
            const c = at(p.v++);
            if (i === 0) hasSep = c === 0x3a;
            if (p.v >= end) return ret(c !== 0 ? 1 : 0);
            if (hasSep && c === 0x3a) continue;
            if (c === 0x2e || c === 0x2c) { broke = true; break; }
            if (!hasSep) p.v--;
            else return ret(-4);
        }
        void broke;
        const toParse = end - p.v >= 6 ? 6 : end - p.v;
        const u = digits(p, toParse);
        if (u === null) return ret(-3);
        us = toParse < 6 ? u * [100000, 10000, 1000, 100, 10][toParse - 1]! : u;
        while (isD(at(p.v))) p.v++;
        return ret(at(p.v) !== 0 ? 1 : 0);
    };
    if (n < 7) return null;
    // _find_isoformat_datetime_separator
    let sep: number;
    if (n === 7) sep = 7;
    else if (s[4] === 0x2d) {
        if (s[5] !== 0x57) sep = 10;
        else if (n < 8) return null;
        else if (n > 8 && s[8] === 0x2d) {
            if (n === 9) return null;
            sep = n > 10 && isD(s[10]!) ? 8 : 10;
        } else sep = 8;
    } else if (s[4] !== 0x57) sep = 8;
    else {
        let idx = 7;
        while (idx < n && isD(s[idx]!)) idx++;
        sep = idx < 9 ? idx : idx % 2 === 0 ? 7 : 8;
    }
    // parse_isoformat_date
    const p = { v: 0 };
    const y = digits(p, 4);
    if (y === null) return null;
    const dsep = at(p.v) === 0x2d;
    if (dsep) p.v++;
    let day: number;
    if (at(p.v) === 0x57) {
        p.v++;
        const week = digits(p, 2);
        if (week === null) return null;
        let wd = 1;
        if (p.v < sep) {
            if (dsep && at(p.v++) !== 0x2d) return null;
            const w = digits(p, 1);
            if (w === null) return null;
            wd = w;
        }
        const first = daysFromCivil(y, 1, 1), origin = daysFromCivil(1, 1, 1);
        const fw = (((first - origin) % 7) + 7) % 7;
        if (week <= 0 || week >= 53) if (!(week === 53 && (fw === 3 || (fw === 2 && isLeapYear(y))))) return null;
        if (wd <= 0 || wd >= 8) return null;
        const monday = first - fw + (fw > 3 ? 7 : 0);
        day = monday + (week - 1) * 7 + wd - 1;
        if (day < origin || day > daysFromCivil(9999, 12, 31)) return null;
    } else {
        const m = digits(p, 2);
        if (m === null) return null;
        if (dsep && at(p.v++) !== 0x2d) return null;
        const d = digits(p, 2);
        if (d === null) return null;
        if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
        day = daysFromCivil(y, m, d);
    }
    let t = BigInt(day) * 86400000000n;
    let aware = false;
    if (n > sep) {
        const c = s[sep]!;
        const tp = sep + (c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4);
        let tz = tp;
        do {
            const ch = at(tz);
            if (ch === 0x5a || ch === 0x2b || ch === 0x2d) break;
        } while (++tz < n);
        const a = hmsf(tp, tz);
        if (a.rv < 0) return null;
        let tzUs = 0n;
        let rv: number;
        if (tz === n) rv = a.rv === 1 ? -5 : 0;
        else if (at(tz) === 0x5a) rv = at(tz + 1) !== 0 ? -5 : 1;
        else {
            const sign = at(tz) === 0x2d ? -1n : 1n;
            const b = hmsf(tz + 1, n);
            tzUs = sign * ((BigInt(b.h) * 3600n + BigInt(b.mi) * 60n + BigInt(b.se)) * 1000000n + BigInt(b.us));
            rv = b.rv ? -5 : 1;
        }
        if (rv < 0 || a.h >= 24 || a.mi >= 60 || a.se >= 60) return null;
        if (rv === 1) {
            if (tzUs <= -86400000000n || tzUs >= 86400000000n) return null;
            aware = true;
        }
        t += (BigInt(a.h) * 3600n + BigInt(a.mi) * 60n + BigInt(a.se)) * 1000000n + BigInt(a.us) - tzUs;
    }
    return { us: t, aware };
}

// ---- the schema ------------------------------------------------------------------------------------------------

type FType = 'str' | 'num' | 'numNull' | 'int' | 'obj' | 'threshold' | 'datasets' | 'evidence' | 'strMap' | 'strArr' | 'comparator' | 'crossCheck';
type Field = [name: string, type: FType, required: boolean, nonempty: boolean];

const IDENTITY: Field[] = [['ophamin_version', 'str', true, false], ['ophamin_git_commit', 'str', true, false], ['created_at', 'str', true, false]];
const CLAIM: Field[] = [['statement', 'str', true, false], ['operationalization', 'str', true, true], ['threshold', 'threshold', true, false], ['h0', 'str', true, false], ['h1', 'str', true, false]];
const THRESHOLD: Field[] = [['metric', 'str', true, true], ['comparator', 'comparator', true, false], ['value', 'num', true, false], ['units', 'str', true, false]];
const PREREG: Field[] = [['config_hash', 'str', true, false], ['data_hash', 'str', true, false], ['analysis_plan', 'str', true, false], ['sweep_grid', 'obj', true, false], ['preregistered_at', 'str', true, false]];
const DATA: Field[] = [['substrate_name', 'str', true, true], ['substrate_git_commit', 'str', true, false], ['datasets', 'datasets', true, false]];
const DATASET: Field[] = [['name', 'str', true, true], ['content_hash', 'str', true, false], ['n_records', 'int', true, false], ['source', 'str', true, false], ['kind', 'str', true, false]];
const EVIDENCE: Field[] = [
    ['pillar', 'str', true, true], ['statistic_name', 'str', true, true], ['statistic_value', 'num', true, false], ['library', 'str', true, false],
    ['library_version', 'str', true, false], ['effect_size', 'numNull', false, false], ['ci_low', 'numNull', false, false], ['ci_high', 'numNull', false, false],
    ['p_value', 'numNull', false, false], ['cross_check', 'crossCheck', true, false], ['detail', 'obj', true, false],
];
const VERDICT: Field[] = [['outcome', 'str', true, false], ['observed_value', 'num', true, false], ['threshold', 'threshold', true, false], ['reasoning', 'str', true, true]];
const REPRO: Field[] = [['command', 'str', true, false], ['environment', 'strMap', true, false], ['lineage_chain', 'strArr', true, false]];
const SECTIONS: [string, 'obj' | 'evidence', Field[] | null][] = [
    ['identity', 'obj', IDENTITY], ['claim', 'obj', CLAIM], ['preregistration', 'obj', PREREG], ['data', 'obj', DATA],
    ['evidence', 'evidence', null], ['verdict', 'obj', VERDICT], ['reproduction', 'obj', REPRO], ['provenance', 'obj', null],
];

// RFC 6901 escape of a member name for a pointer ('~' → ~0, '/' → ~1); lone surrogates and NUL as '?'.
function ptrName(k: string): string {
    return k.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\0/g, '?').replace(/~/g, '~0').replace(/\//g, '~1');
}

function clip(v: Json | undefined): string {
    if (typeof v !== 'string') return '';
    return v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\0/g, '?').slice(0, 64);
}

interface Problems { n: number; code: string; at: string; msg: string; unknown: number; unknownAt: string }

function problem(p: Problems, code: string, at: string, msg: string): void {
    if (p.n++) return;
    p.code = code;
    p.at = at;
    p.msg = msg;
}

function checkValue(v: Json, t: FType, nonempty: boolean, at: string, p: Problems): void {
    const typeErr = (what: string): void => problem(p, 'proof_schema_type', at, `${at} must be ${what}, not ${typeName(v)}`);
    switch (t) {
        case 'str':
            if (typeof v !== 'string') typeErr('a string');
            else if (nonempty && v.length === 0) problem(p, 'proof_schema_empty_string', at, `${at} must not be empty`);
            break;
        case 'num':
            if (!isNum(v)) typeErr('a number');
            break;
        case 'numNull':
            if (!isNum(v) && v !== null) typeErr('a number or null');
            break;
        case 'int': {
            const ok = isNum(v) && (v.isInt || (Number.isFinite(v.valueOf()) && Math.floor(v.valueOf()) === v.valueOf()));
            if (!ok) problem(p, 'proof_schema_type', at, `${at} must be an integer`);
            break;
        }
        case 'obj':
            if (!isJsonObject(v)) typeErr('an object');
            break;
        case 'threshold':
            if (!isJsonObject(v)) typeErr('an object');
            else checkFields(v, THRESHOLD, at, p);
            break;
        case 'datasets':
        case 'evidence':
            if (!Array.isArray(v)) {
                typeErr('an array');
                break;
            }
            v.forEach((e, i) => {
                const sub = `${at}/${i}`;
                if (!isJsonObject(e)) problem(p, 'proof_schema_type', sub, `${sub} must be an object, not ${typeName(e)}`);
                else checkFields(e, t === 'datasets' ? DATASET : EVIDENCE, sub, p);
            });
            break;
        case 'strMap':
            if (!isJsonObject(v)) {
                typeErr('an object');
                break;
            }
            for (const k of Object.keys(v)) if (typeof v[k] !== 'string') problem(p, 'proof_schema_type', at, `${at}: every value must be a string`);
            break;
        case 'strArr':
            if (!Array.isArray(v)) {
                typeErr('an array');
                break;
            }
            for (const e of v) if (typeof e !== 'string') problem(p, 'proof_schema_type', at, `${at}: every element must be a string`);
            break;
        case 'comparator':
            if (typeof v !== 'string') typeErr('a string');
            else if (!['>=', '<=', '>', '<', '=='].includes(v)) problem(p, 'proof_schema_enum', at, `${at} must be one of >=, <=, >, <, ==`);
            break;
        case 'crossCheck':
            if (typeof v !== 'string') typeErr('a string');
            else if (!['passed', 'skipped', 'failed', 'n/a'].includes(v)) problem(p, 'proof_schema_enum', at, `${at} must be one of passed, skipped, failed, n/a`);
            break;
    }
}

function checkFields(obj: JsonObject, fields: Field[], at: string, p: Problems): void {
    for (const [name, t, required, nonempty] of fields) {
        const sub = `${at}/${name}`;
        if (!(name in obj)) {
            if (required) problem(p, 'proof_schema_missing_field', sub, `${sub} is missing`);
            continue;
        }
        checkValue(obj[name]!, t, nonempty, sub, p);
    }
    // the C document keeps members in code point order: the first unknown one is the smallest
    const unknown = Object.keys(obj).filter((k) => !fields.some((f) => f[0] === k)).sort(cmpCp);
    if (unknown.length) {
        if (p.unknown === 0) p.unknownAt = `${at}/${ptrName(unknown[0]!)}`;
        p.unknown += unknown.length;
    }
}

function checkSchema(doc: JsonObject, r: ReportLike): void {
    const sv = doc['schema_version'];
    if (sv === undefined) r.addCheck('schema_version', false, 'proof_schema_version_missing', '/schema_version', 'the record has no schema_version');
    else if (typeof sv !== 'string') r.addCheck('schema_version', false, 'proof_schema_type', '/schema_version', `schema_version must be a string, not ${typeName(sv)}`);
    else if (sv === '1.0') r.addCheck('schema_version', true, 'ok', '/schema_version', 'EmpiricalProofRecord 1.0');
    else if (/^1\.[0-9]{1,10}$/.test(sv)) {
        r.addCheck('schema_version', true, 'ok', '/schema_version', `EmpiricalProofRecord ${sv}, read as 1.0`);
        r.addWarning('proof_schema_minor_newer', '/schema_version', `schema_version ${sv} is a newer minor version: members it adds are signed but not checked`);
    } else r.addCheck('schema_version', false, 'proof_schema_version_unsupported', '/schema_version', `schema_version "${clip(sv)}" is not 1.x`);
    for (const [name, type, fields] of SECTIONS) {
        const at = `/${name}`;
        const v = doc[name];
        const p: Problems = { n: 0, code: '', at: '', msg: '', unknown: 0, unknownAt: '' };
        if (v === undefined) problem(p, 'proof_section_missing', at, `the record has no ${name} section`);
        else if (type === 'evidence') checkValue(v, 'evidence', false, at, p);
        else if (!isJsonObject(v)) problem(p, 'proof_schema_type', at, `${at} must be an object, not ${typeName(v)}`);
        else if (fields) checkFields(v, fields, at, p);
        if (p.n) r.addCheck(`schema.${name}`, false, p.code, p.at, p.msg + (p.n > 1 ? ' (and more problems in this section)' : ''));
        else r.addCheck(`schema.${name}`, true, 'ok', at, `${name} has the members and types of schema 1.0`);
        if (p.unknown)
            r.addWarning('proof_unknown_member', p.unknownAt, `${p.unknown} member(s) that schema 1.0 does not define in ${name}, first ${p.unknownAt} (signed, not checked)`);
    }
    const known = new Set(['schema_version', 'proof_id', 'signature', 'attestation', ...SECTIONS.map((s) => s[0])]);
    const unknown = Object.keys(doc).filter((k) => !known.has(k)).sort(cmpCp);
    if (unknown.length) {
        const first = `/${ptrName(unknown[0]!)}`;
        r.addWarning('proof_unknown_member', first, `${unknown.length} top-level member(s) that schema 1.0 does not define, first ${first}: they are in the signed body, but nothing checks them`);
    }
}

function get2(doc: JsonObject, section: string, name: string): Json | undefined {
    const s = doc[section];
    return isJsonObject(s) ? s[name] : undefined;
}

const emptyStr = (v: Json | undefined): boolean => v === '';
const blankStr = (v: Json | undefined): boolean => typeof v === 'string' && pyBlank(v);

function pyRepr(d: number): string {
    if (Number.isNaN(d)) return 'nan';
    if (!Number.isFinite(d)) return d < 0 ? '-inf' : 'inf';
    return canonicalString(new JsonNumber(String(d), false), 'ophamin');
}

function checkRecord(doc: JsonObject, r: ReportLike): void {
    let failed = 0;
    const vfail = (check: string, code: string, at: string, msg: string): void => {
        failed++;
        r.addCheck(check, false, code, at, msg);
    };
    if (blankStr(get2(doc, 'claim', 'statement'))) vfail('record.claim', 'proof_claim_statement_empty', '/claim/statement', 'claim.statement is empty');
    if (blankStr(get2(doc, 'claim', 'h0')) || blankStr(get2(doc, 'claim', 'h1')))
        vfail('record.claim', 'proof_claim_hypotheses_empty', blankStr(get2(doc, 'claim', 'h0')) ? '/claim/h0' : '/claim/h1', 'claim must state both H0 and H1');
    if (emptyStr(get2(doc, 'preregistration', 'config_hash')))
        vfail('record.preregistration', 'proof_config_hash_empty', '/preregistration/config_hash', 'preregistration.config_hash is empty');
    if (emptyStr(get2(doc, 'preregistration', 'data_hash')))
        vfail('record.preregistration', 'proof_data_hash_empty', '/preregistration/data_hash', 'preregistration.data_hash is empty');
    // timestamps
    const pre = get2(doc, 'preregistration', 'preregistered_at'), cre = get2(doc, 'identity', 'created_at');
    if (typeof pre === 'string' && typeof cre === 'string') {
        const a = pyIsoformat(pre), b = pyIsoformat(cre);
        if (!a || !b)
            vfail('record.timestamps', 'proof_timestamp_invalid', '/preregistration/preregistered_at', 'preregistration.preregistered_at / created_at not ISO timestamps');
        else if (a.aware !== b.aware)
            vfail('record.timestamps', 'proof_timestamp_invalid', '/preregistration/preregistered_at', 'preregistration.preregistered_at and created_at cannot be compared: one has a UTC offset, the other has none');
        else if (a.us > b.us)
            vfail('record.preregistration', 'proof_preregistered_after_created', '/preregistration/preregistered_at', `preregistration.preregistered_at is AFTER created_at - the pre-registration lock is violated (${clip(pre)} > ${clip(cre)})`);
    }
    // items
    const MAX_LISTED = 20;
    let listed = 0, more = 0;
    const ds = get2(doc, 'data', 'datasets');
    if (Array.isArray(ds) && ds.length === 0) vfail('record.datasets', 'proof_no_datasets', '/data/datasets', 'no datasets - a proof needs real data');
    if (Array.isArray(ds))
        ds.forEach((d, i) => {
            const o = isJsonObject(d) ? d : (Object.create(null) as JsonObject);
            const nm = clip(o['name']);
            if (emptyStr(o['content_hash'])) {
                if (listed++ < MAX_LISTED) vfail('record.datasets', 'proof_dataset_content_hash_empty', `/data/datasets/${i}/content_hash`, `dataset '${nm}' has no content hash`);
                else more++;
            }
            const n = pyFloat(o['n_records']);
            if (n !== null && !(n >= 1)) {
                if (listed++ < MAX_LISTED) vfail('record.datasets', 'proof_dataset_n_records', `/data/datasets/${i}/n_records`, `dataset '${nm}' has n_records <= 0`);
                else more++;
            }
        });
    if (emptyStr(get2(doc, 'data', 'substrate_git_commit')))
        vfail('record.substrate', 'proof_substrate_commit_empty', '/data/substrate_git_commit', 'substrate_git_commit is empty - the substrate must be versioned');
    const ev = doc['evidence'];
    if (Array.isArray(ev) && ev.length === 0) vfail('record.evidence', 'proof_no_evidence', '/evidence', 'no pillar evidence recorded');
    if (Array.isArray(ev))
        ev.forEach((e, i) => {
            const o = isJsonObject(e) ? e : (Object.create(null) as JsonObject);
            if (!emptyStr(o['library']) && !emptyStr(o['library_version'])) return;
            if (listed++ >= MAX_LISTED) {
                more++;
                return;
            }
            vfail('record.evidence', 'proof_evidence_attribution_missing', `/evidence/${i}`, `evidence '${clip(o['pillar'])}/${clip(o['statistic_name'])}' missing library attribution`);
        });
    if (more) r.addWarning('proof_items_more', '/data/datasets', `${more} more dataset or evidence problems of the kinds above are not listed`);
    // verdict
    const outcome = get2(doc, 'verdict', 'outcome');
    if (typeof outcome === 'string') {
        if (!['VALIDATED', 'REFUTED', 'INCONCLUSIVE'].includes(outcome))
            vfail('record.verdict', 'proof_verdict_outcome_invalid', '/verdict/outcome', `verdict.outcome '${clip(outcome)}' is not a valid outcome (VALIDATED, REFUTED, INCONCLUSIVE)`);
        else if (outcome === 'INCONCLUSIVE') r.addCheck('record.verdict', true, 'ok', '/verdict/outcome', 'INCONCLUSIVE: the threshold is not applied');
        else {
            const thr = get2(doc, 'verdict', 'threshold');
            const cmp = isJsonObject(thr) ? thr['comparator'] : undefined;
            const obs = pyFloat(get2(doc, 'verdict', 'observed_value'));
            const val = isJsonObject(thr) ? pyFloat(thr['value']) : null;
            const ops: Record<string, (a: number, b: number) => boolean> = {
                '>=': (a, b) => a >= b, '<=': (a, b) => a <= b, '>': (a, b) => a > b, '<': (a, b) => a < b, '==': (a, b) => a === b,
            };
            if (typeof cmp === 'string' && obs !== null && val !== null && ops[cmp]) {
                const sat = ops[cmp]!(obs, val);
                const expected = sat ? 'VALIDATED' : 'REFUTED';
                if (outcome !== expected)
                    vfail('record.verdict', 'proof_verdict_threshold_disagrees', '/verdict/outcome', `verdict.outcome '${outcome}' contradicts the threshold (observed ${pyRepr(obs)} ${cmp} ${pyRepr(val)} is ${sat} -> expected ${expected})`);
                else r.addCheck('record.verdict', true, 'ok', '/verdict/outcome', `observed ${pyRepr(obs)} ${cmp} ${pyRepr(val)} is ${sat}: ${expected} agrees with the threshold`);
            }
        }
    }
    if (blankStr(get2(doc, 'reproduction', 'command')))
        vfail('record.reproduction', 'proof_reproduction_command_empty', '/reproduction/command', 'reproduction.command is empty');
    const env = get2(doc, 'reproduction', 'environment');
    if (isJsonObject(env) && Object.keys(env).length === 0)
        vfail('record.reproduction', 'proof_reproduction_environment_empty', '/reproduction/environment', 'reproduction.environment lock is empty');
    if (emptyStr(get2(doc, 'identity', 'ophamin_version'))) vfail('record.identity', 'proof_ophamin_version_empty', '/identity/ophamin_version', 'ophamin_version is empty');
    if (failed === 0)
        r.addCheck('record', true, 'ok', '', 'the record.validate() checklist holds: falsifiable, pre-registered, real data, attributed, reproducible, identified');
    const ct = get2(doc, 'claim', 'threshold'), vt = get2(doc, 'verdict', 'threshold');
    if (isJsonObject(ct) && isJsonObject(vt) && canonicalString(ct, 'ophamin') !== canonicalString(vt, 'ophamin'))
        r.addWarning('proof_threshold_differs', '/verdict/threshold', "the verdict's threshold is not the claim's: the verdict was decided against another boundary than the one pre-registered");
}

// ---- verification options -------------------------------------------------------------------------------------

export interface ProofVerifyOptions {
    keys?: KeySet | null;
    trustEmbeddedKey?: boolean;
    hmacKeyB64?: string | null;
    allowDefaultHmacKey?: boolean;
}

async function checkAttestation(doc: JsonObject, body: Uint8Array, o: ProofVerifyOptions, r: ReportLike): Promise<boolean> {
    const att = doc['attestation'];
    if (att === undefined || att === null) return false;
    if (!isJsonObject(att)) {
        r.addCheck('attestation', false, 'proof_attestation_malformed', '/attestation', 'attestation must be an object {author, algorithm, public_key, signature}');
        return false;
    }
    r.addUnauthenticated?.('/attestation/author');
    r.addWarning('proof_attestation_author_unsigned', '/attestation/author', 'the Ed25519 signature covers the body, not attestation.author: the name proves nothing unless the key is pinned for that author');
    let n = 0;
    for (const k of Object.keys(att).sort(cmpCp)) {
        if (['algorithm', 'public_key', 'signature'].includes(k)) continue;
        const whole = k.length <= 32 && !/[\0\ud800-\udfff]/.test(k);
        r.addUnauthenticated?.(whole ? `/attestation/${ptrName(k)}` : '/attestation');
        n++;
    }
    if (n)
        r.addWarning('unauthenticated_fields', '/attestation', `${n} member(s) of the attestation are not covered by its signature, which covers the body only; see unauthenticated_fields`);
    const author = att['author'], alg = att['algorithm'], pk = att['public_key'], sig = att['signature'];
    const shape: [string, string][] = [
        ['/attestation/author', 'attestation.author must be a non-empty string'],
        ['/attestation/algorithm', 'attestation.algorithm must be a string'],
        ['/attestation/public_key', 'attestation.public_key must be 64 lowercase hex digits'],
        ['/attestation/signature', 'attestation.signature must be 128 lowercase hex digits'],
    ];
    const bad = typeof author !== 'string' || author === '' ? 0 : typeof alg !== 'string' ? 1 : !isLowerHex(pk, 64) ? 2 : !isLowerHex(sig, 128) ? 3 : -1;
    if (bad >= 0) {
        r.addCheck('attestation', false, 'proof_attestation_malformed', shape[bad]![0], shape[bad]![1]);
        return false;
    }
    const who = clip(author);
    if (alg !== 'ed25519') {
        r.addCheck('attestation', false, 'proof_attestation_algorithm', '/attestation/algorithm', `attestation algorithm "${clip(alg)}" is not ed25519`);
        return false;
    }
    let embedded: Key;
    try {
        embedded = await Key.fromEd25519Public(unhex(pk as string));
    } catch {
        r.addCheck('attestation', false, 'proof_attestation_invalid', '/attestation/public_key', 'attestation.public_key is not a valid Ed25519 public key');
        return false;
    }
    const kid = embedded.kid;
    if (!(await embedded.verify(body, unhex(sig as string)))) {
        r.addCheck('attestation', false, 'proof_attestation_invalid', '/attestation/signature', `the Ed25519 attestation signature does not verify over the ${body.length}-byte body with its key ${kid} (author, unsigned: "${who}")`);
        return false;
    }
    const t = o.keys ? o.keys.findPublic(embedded) : null;
    const ntrusted = o.keys ? o.keys.size : 0;
    if (t) {
        r.addCheck('attestation', true, 'ok', '/attestation', `the Ed25519 attestation signature verifies over the ${body.length}-byte body with the trusted key ${t.key.kid} (${t.source}) (author, unsigned: "${who}")`);
        r.addKey?.(t.key.kid, t.source);
        return true;
    }
    if (o.trustEmbeddedKey) {
        r.addCheck('attestation', true, 'ok', '/attestation', `the Ed25519 attestation signature verifies over the ${body.length}-byte body with its embedded key ${kid}, trusted on request (author, unsigned: "${who}")`);
        r.addKey?.(kid, 'embedded (attestation.public_key, trusted on request)');
        r.addWarning('proof_attestation_key_embedded', '/attestation/public_key', `the attestation key ${kid} came from the record itself (--trust-embedded-key): anyone can re-sign a record with their own key`);
        return true;
    }
    if (ntrusted) {
        r.addCheck('attestation', false, 'proof_attestation_key_not_trusted', '/attestation/public_key', `the attestation verifies, but its key ${kid} is not one of the ${ntrusted} trusted keys; ${o.keys!.describe()}`);
        return false;
    }
    r.addCheck('attestation', true, 'ok', '/attestation', `the Ed25519 attestation signature verifies over the ${body.length}-byte body with its embedded key ${kid} (not trusted: it proves only that the holder of that key signed) (author, unsigned: "${who}")`);
    r.addWarning('proof_attestation_key_untrusted', '/attestation/public_key', `the attestation key ${kid} is not pinned: pin the author's key (--key/--jwks) to prove who signed, or pass --trust-embedded-key`);
    return false;
}

async function checkSignature(doc: JsonObject, body: Uint8Array, o: ProofVerifyOptions, authenticated: boolean, r: ReportLike): Promise<void> {
    let key: Uint8Array | null = null;
    let isDefault = false;
    if (typeof o.hmacKeyB64 === 'string') {
        try {
            key = proofKeyDecode(o.hmacKeyB64).key;
        } catch (e) {
            r.addCheck('signature', false, 'proof_hmac_key_invalid', '/signature', `the HMAC key is not valid standard base64 (${(e as Error).message})`);
            return;
        }
        isDefault = ctEqual(key, DEFAULT_KEY_BYTES);
    } else if (o.allowDefaultHmacKey) {
        key = DEFAULT_KEY_BYTES;
        isDefault = true;
    }
    const sig = doc['signature'];
    if (!key) {
        if (authenticated) {
            r.addWarning('proof_signature_not_checked', '/signature', 'the HMAC signature was not checked (no key given); the trusted attestation authenticates the body');
            return;
        }
        r.addCheck('signature', false, 'proof_hmac_key_missing', '/signature', 'the HMAC signature was not checked: no key was given (hmac_key_b64, or allow_default_hmac_key for the public default key) and no trusted attestation authenticates the record');
        return;
    }
    const what = isDefault ? 'the public default key' : 'the given key';
    if (sig === undefined) r.addCheck('signature', false, 'proof_unsigned', '', 'the record has no signature member');
    else if (typeof sig !== 'string') r.addCheck('signature', false, 'proof_signature_malformed', '/signature', `signature must be a string, not ${typeName(sig)}`);
    else if (sig === '') r.addCheck('signature', false, 'proof_unsigned', '/signature', 'signature is empty: the record is unsigned');
    else if (!isLowerHex(sig, 64)) r.addCheck('signature', false, 'proof_signature_malformed', '/signature', 'signature must be 64 lowercase hex digits (HMAC-SHA256)');
    else {
        const mac = hex(await hmacSha256(key, body));
        const ok = ctEqual(new TextEncoder().encode(sig), new TextEncoder().encode(mac));
        r.addCheck('signature', ok, ok ? 'ok' : 'proof_signature_mismatch', '/signature',
            ok ? `HMAC-SHA256 over the ${body.length}-byte canonical body verifies under ${what}` : `HMAC-SHA256 over the ${body.length}-byte canonical body does not verify under ${what}`);
        if (ok) r.addKey?.(isDefault ? 'hmac-sha256:default' : 'hmac-sha256', isDefault ? 'default key (ophamin-scenario-proof-key)' : 'hmac_key_b64');
        if (ok && isDefault)
            r.addWarning('proof_default_key', '/signature', 'the signature verifies under the public default key "ophamin-scenario-proof-key": it proves integrity against accidents only, not who wrote the record');
    }
}

/** A report sink that records calls, to be replayed into another (the C library's temporary report). */
class Recorder implements ReportLike {
    calls: ((r: ReportLike) => void)[] = [];
    addCheck(check: string, ok: boolean, code: string, at: string, message: string): void {
        this.calls.push((r) => r.addCheck(check, ok, code, at, message));
    }
    addWarning(code: string, at: string, message: string): void {
        this.calls.push((r) => r.addWarning(code, at, message));
    }
    addKey(kid: string, source: string): void {
        this.calls.push((r) => r.addKey?.(kid, source));
    }
    addUnauthenticated(p: string): void {
        this.calls.push((r) => r.addUnauthenticated?.(p));
    }
    replay(r: ReportLike): void {
        for (const c of this.calls) c(r);
    }
}

/** prova_proof_verify_doc: kind proof_record; schema, validate() checklist, proof_id, signature, attestation. */
export async function verifyProof(doc: Json, o: ProofVerifyOptions, r: ReportLike): Promise<void> {
    r.setKind?.('proof_record');
    if (!isJsonObject(doc)) {
        r.setOutcome?.('unknown_kind');
        r.addCheck('kind', false, 'proof_not_object', '', 'a proof record must be a JSON object');
        return;
    }
    checkSchema(doc, r);
    checkRecord(doc, r);
    let body: Uint8Array;
    try {
        body = proofBody(doc);
    } catch (e) {
        const pe = e as ProvaError;
        r.addCheck('body', false, pe.code ?? 'proof_body', pe.pointer ?? '', `the body cannot be canonicalized: ${pe.message}`);
        return;
    }
    const id = hex(await sha256(body));
    const w = doc['proof_id'];
    if (w === undefined) r.addCheck('proof_id', true, 'ok', '', `no proof_id on the wire; the body's is ${id}`);
    else if (!isLowerHex(w, 64)) r.addCheck('proof_id', false, 'proof_id_malformed', '/proof_id', `proof_id must be 64 lowercase hex digits (the body's is ${id})`);
    else {
        const ok = w === id;
        r.addCheck('proof_id', ok, ok ? 'ok' : 'proof_id_mismatch', '/proof_id', ok ? `proof_id is the SHA-256 of the canonical body (${id})` : `proof_id is not the SHA-256 of the canonical body, which is ${id}`);
    }
    const tmp = new Recorder();
    const trusted = await checkAttestation(doc, body, o, tmp);
    await checkSignature(doc, body, o, trusted, r);
    tmp.replay(r);
}

export { Recorder };
