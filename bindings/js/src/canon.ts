// The three canonical JSON profiles, byte for byte as src/lib/json/canon.c (docs/canonical-json.md):
//   ope     — Python json.dumps(sort_keys=True, separators=(",",":"), ensure_ascii=False)
//   ophamin — the same with ensure_ascii=True (NaN/Infinity written as Python writes them)
//   jcs     — RFC 8785 (ECMAScript number formatting, UTF-16 key order)
// Values: parsed Json (JsonNumber tokens) and plain JS values: a `number` that is an integer is an integer,
// other numbers are floats, `float(x)` marks a Python float, `bigint` is an integer.

import { ProvaError } from './errors.js';
import { JsonNumber, parse, escapeToken, cmpCodePoint, type ParseOptions } from './json.js';
import { utf8Encode } from './bytes.js';

export type Profile = 'jcs' | 'ope' | 'ophamin';

/** A Python float (so that 1.0 is written "1.0" under ope/ophamin). */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** Marks x as a Python float: float(1) is written 1.0 under ope and ophamin, 1 under jcs. */
export function float(x: number): PyFloat {
  return new PyFloat(x);
}

const PROFILES: Record<string, true> = { jcs: true, ope: true, ophamin: true };

export function isProfile(p: unknown): p is Profile {
  return typeof p === 'string' && PROFILES[p] === true;
}

// ---- numbers --------------------------------------------------------------------------------------------------

/** Python's repr of a finite double (shortest round-trip digits; fixed iff 1e-4 <= |x| < 1e16). */
export function formatPyFloat(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const e = x.toExponential(); // shortest digits: "d.ddde+N"
  let k = e.indexOf('e');
  const neg = e.charCodeAt(0) === 0x2d;
  const mant = e.slice(neg ? 1 : 0, k);
  const digits = mant.length > 1 ? mant[0]! + mant.slice(2) : mant;
  const exp = Number(e.slice(k + 1));
  const decpt = exp + 1;
  const nd = digits.length;
  let out: string;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) out = '0.' + '0'.repeat(-decpt) + digits;
    else if (decpt < nd) out = digits.slice(0, decpt) + '.' + digits.slice(decpt);
    else out = digits + '0'.repeat(decpt - nd) + '.0';
  } else {
    const m = nd > 1 ? digits[0]! + '.' + digits.slice(1) : digits;
    const ae = Math.abs(exp);
    out = m + (exp < 0 ? 'e-' : 'e+') + (ae < 10 ? '0' + ae : String(ae));
  }
  k = 0;
  return neg ? '-' + out : out;
}

/** The JSON Pointer of what is being written: tracked only on the second, error-locating pass (at !== null). */
function ptr(at: string[] | null): string {
  return at ? at.join('') : '';
}

function nonfinite(x: number, p: Profile, at: string[] | null): string {
  if (p !== 'ophamin') {
    throw new ProvaError('canon_nonfinite', 'NaN and Infinity cannot be written in this profile', { pointer: ptr(at) });
  }
  return x !== x ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

function numberToken(t: JsonNumber, p: Profile, at: string[] | null): string {
  const tok = t.token;
  if (tok === 'NaN' || tok === 'Infinity' || tok === '-Infinity') {
    if (p !== 'ophamin') throw new ProvaError('canon_nonfinite', 'NaN and Infinity cannot be written in this profile', { pointer: ptr(at) });
    return tok;
  }
  if (t.isInt) {
    if (tok === '-0') return '0';
    if (p !== 'jcs' || tok.length - (tok.charCodeAt(0) === 0x2d ? 1 : 0) <= 15) return tok;
  }
  const d = Number(tok);
  if (!Number.isFinite(d)) {
    if (p === 'jcs') throw new ProvaError('canon_number_range', 'number is outside the range of an IEEE double (required by jcs)', { pointer: ptr(at) });
    if (p === 'ophamin') return d > 0 ? 'Infinity' : '-Infinity';
    throw new ProvaError('canon_nonfinite', 'NaN and Infinity cannot be written in this profile', { pointer: ptr(at) });
  }
  return p === 'jcs' ? String(d) : formatPyFloat(d);
}

function jsNumber(x: number, p: Profile, at: string[] | null): string {
  if (!Number.isFinite(x)) return nonfinite(x, p, at);
  if (p === 'jcs') return JSON.stringify(x); // = Number::toString for a finite x, and faster in V8
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? String(x === 0 ? 0 : x) : BigInt(x).toString();
  return formatPyFloat(x);
}

// ---- strings --------------------------------------------------------------------------------------------------

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function';
const SURROGATE = /[\uD800-\uDFFF]/;

function wellFormed(s: string): boolean {
  if (hasIsWellFormed) return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
  if (!SURROGATE.test(s)) return true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      return false;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

const NON_ASCII = /[^\x20-\x7e]/;
const NON_ASCII_G = /[\u007f-\uffff]/g;

function uEscape(ch: string): string {
  const c = ch.charCodeAt(0);
  return '\\u' + (c < 0x1000 ? (c < 0x100 ? '00' : '0') : '') + c.toString(16);
}

/** A JSON string literal of s under profile p (JSON.stringify escapes exactly as ope and jcs want). */
export function quote(s: string, p: Profile, at?: string[] | null): string {
  if (p === 'ophamin') {
    const q = JSON.stringify(s); // lone surrogates come out as \udxxx, as Python writes them
    return NON_ASCII.test(s) ? q.replace(NON_ASCII_G, uEscape) : q;
  }
  if (!wellFormed(s)) {
    throw new ProvaError('canon_lone_surrogate', 'a lone surrogate cannot be written in this profile', { pointer: ptr(at ?? null) });
  }
  return JSON.stringify(s);
}

// ---- the writer -----------------------------------------------------------------------------------------------

function sortedKeys(o: object, p: Profile): string[] {
  const keys = Object.keys(o);
  if (keys.length < 2) return keys;
  if (p === 'jcs') return keys.sort();
  // code point order equals UTF-16 order unless a key holds a surrogate
  for (let i = 0; i < keys.length; i++) {
    if (SURROGATE.test(keys[i]!)) return keys.sort(cmpCodePoint);
  }
  return keys.sort();
}

// The writer appends to one string (`out`, below) instead of returning and joining the text of each subtree: one
// linear rope, flattened once, as canonicalize npm builds its result (the nested concatenations were most of the
// garbage). write() calls nothing that could re-enter it; canonicalString saves and restores `out` all the same.
let out = '';
// Quoted member names with their ':' ("name":), by name, kept across calls (bounded; short names only): the same
// names come back in every record of a document and in every document of a kind, and one lookup beats quoting (a
// well-formedness check and JSON.stringify) and two more appends. jcs and ope quote alike; ophamin escapes to ASCII.
// A name that cannot be written (a lone surrogate) throws in quote() and is never stored.
const namesUtf8 = new Map<string, string>();
const namesAscii = new Map<string, string>();
const NAMES_MAX = 4096;
const NAME_LEN_MAX = 64;

function memberName(k: string, p: Profile, at: string[] | null): string {
  const m = p === 'ophamin' ? namesAscii : namesUtf8;
  let q = m.get(k);
  if (q === undefined) {
    q = quote(k, p, at) + ':';
    if (k.length <= NAME_LEN_MAX) {
      if (m.size >= NAMES_MAX) m.clear();
      m.set(k, q);
    }
  }
  return q;
}

function write(v: unknown, p: Profile, at: string[] | null, depth: number): void {
  switch (typeof v) {
    case 'string':
      out += quote(v, p, at);
      return;
    case 'number':
      out += p === 'jcs' && Number.isFinite(v) ? JSON.stringify(v) : jsNumber(v, p, at);
      return;
    case 'boolean':
      out += v ? 'true' : 'false';
      return;
    case 'bigint':
      if (p === 'jcs') {
        const d = Number(v);
        if (!Number.isFinite(d)) throw new ProvaError('canon_number_range', 'number is outside the range of an IEEE double (required by jcs)', { pointer: ptr(at) });
        out += String(d);
        return;
      }
      out += v.toString();
      return;
    case 'object': {
      if (v === null) {
        out += 'null';
        return;
      }
      if (depth > 100000) throw new ProvaError('json_depth_limit', 'nesting deeper than the configured limit', { pointer: ptr(at) });
      if (Array.isArray(v)) {
        const n = v.length;
        if (n === 0) {
          out += '[]';
          return;
        }
        out += '[';
        if (at) at.push('/0');
        write(v[0], p, at, depth + 1);
        for (let i = 1; i < n; i++) {
          if (at) at[at.length - 1] = '/' + i;
          out += ',';
          write(v[i], p, at, depth + 1);
        }
        if (at) at.pop();
        out += ']';
        return;
      }
      // Plain objects (JSON.parse's, or the parser's null-prototype ones) go straight on; anything else is
      // checked once here.
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) {
        if (v instanceof JsonNumber) {
          out += numberToken(v, p, at);
          return;
        }
        if (v instanceof PyFloat) {
          const x = v.value;
          if (!Number.isFinite(x)) out += nonfinite(x, p, at);
          else out += p === 'jcs' ? String(x) : formatPyFloat(x);
          return;
        }
        if (v instanceof Uint8Array || v instanceof Date || v instanceof Map || v instanceof Set) {
          throw new ProvaError('invalid_argument', 'not a JSON value: ' + Object.prototype.toString.call(v), { pointer: ptr(at) });
        }
      }
      const keys = sortedKeys(v, p);
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const x = (v as Record<string, unknown>)[k];
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        if (at) at.push('/' + escapeToken(k));
        out += first ? '{' : ',';
        first = false;
        out += memberName(k, p, at);
        write(x, p, at, depth + 1);
        if (at) at.pop();
      }
      out += first ? '{}' : '}';
      return;
    }
    default:
      throw new ProvaError('invalid_argument', 'not a JSON value: ' + typeof v, { pointer: ptr(at) });
  }
}

function writeAll(value: unknown, p: Profile, at: string[] | null): string {
  const saved = out;
  out = '';
  try {
    write(value, p, at, 0);
    return out;
  } finally {
    out = saved;
  }
}

/** The canonical text of value under profile (a string: jcs and ope are UTF-8 when encoded, ophamin is ASCII). */
export function canonicalString(value: unknown, profile: Profile = 'ope'): string {
  if (!isProfile(profile)) throw new ProvaError('invalid_argument', 'unknown profile: ' + String(profile));
  try {
    return writeAll(value, profile, null); // no pointer bookkeeping on the way: it was half the time, in GC
  } catch (e) {
    if (!(e instanceof ProvaError)) throw e;
    writeAll(value, profile, []); // again, tracking where it is, to throw the same error with its JSON Pointer
    throw e;
  }
}

/** The canonical bytes of value under profile. */
export function canonicalize(value: unknown, profile: Profile = 'ope'): Uint8Array {
  return utf8Encode(canonicalString(value, profile));
}

/**
 * The canonical bytes of JSON text, as `prova canon --profile P` (prova_canon_bytes): parsed strictly first.
 * allowNonfinite (ophamin only) also accepts NaN/Infinity and lone surrogates, as Python writes them.
 */
export function canonicalizeText(text: string | Uint8Array, profile: Profile = 'ope', options: ParseOptions = {}): Uint8Array {
  if (!isProfile(profile)) throw new ProvaError('invalid_argument', 'unknown profile: ' + String(profile));
  const o: ParseOptions = Object.assign({}, options); // (not spread: see verify.ts prepareSync)
  if (profile !== 'ophamin') {
    o.allowNonfinite = false;
    o.allowLoneSurrogates = false;
  } else if (o.allowNonfinite) {
    o.allowLoneSurrogates = true;
  }
  return canonicalize(parse(text, o), profile);
}
