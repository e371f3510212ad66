// The strict JSON parser (RFC 8259), as the C library's src/lib/json/parse.c: numbers kept as their tokens,
// duplicate member names rejected, the same limits (prova_default_max_*), and failures with the C parser's reason
// codes, byte offset, line, column and JSON Pointer.

import { ProvaError } from './errors.js';
import { utf8InvalidOffset } from './bytes.js';
import { formatPyFloat } from './canon.js'; // (a cycle: used at call time only)

/** A JSON number as its token in the document; isInt when it has no fraction and no exponent. */
export class JsonNumber {
  readonly token: string;
  readonly isInt: boolean;
  constructor(token: string, isInt?: boolean) {
    this.token = token;
    this.isInt = isInt ?? isIntToken(token);
  }
  /** The nearest double (NaN/Infinity for those tokens). */
  valueOf(): number {
    if (this.token === 'NaN') return NaN;
    if (this.token === 'Infinity') return Infinity;
    if (this.token === '-Infinity') return -Infinity;
    return Number(this.token);
  }
  /** The exact integer (isInt only). */
  toBigInt(): bigint {
    if (!this.isInt) throw new ProvaError('invalid_argument', 'not an integer token');
    return BigInt(this.token);
  }
  toString(): string {
    return this.token;
  }
  toJSON(): number {
    return this.valueOf();
  }
}

function isIntToken(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45 || c === 0x4e || c === 0x49) return false;
  }
  return true;
}

export type JsonObject = { [key: string]: Json };
export type Json = null | boolean | string | JsonNumber | Json[] | JsonObject;

export interface ParseOptions {
  /** Nesting limit (default 128, as PROVA_DEFAULT_MAX_DEPTH). */
  maxDepth?: number;
  /** Document size limit in bytes (default 256 MiB). */
  maxSize?: number;
  /** String limit in bytes (default 64 MiB). */
  maxString?: number;
  /** Members or elements of one container (default 1,000,000). */
  maxMembers?: number;
  /** Accept NaN, Infinity and -Infinity (and overflowing floats), as Python's json does. */
  allowNonfinite?: boolean;
  /** Accept \uD800-style escapes of lone surrogates (kept in the JS string). */
  allowLoneSurrogates?: boolean;
}

export const DEFAULT_MAX_DEPTH = 128;
export const DEFAULT_MAX_SIZE = 256 * 1024 * 1024;
export const DEFAULT_MAX_STRING = 64 * 1024 * 1024;
export const DEFAULT_MAX_MEMBERS = 1000000;

/** A null-prototype object: `__proto__` and friends are plain members. */
export function newObject(): JsonObject {
  return Object.create(null) as JsonObject;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface Frame {
  isObj: boolean;
  count: number;
  key: string | null; // the member name naming the value being parsed
  obj: JsonObject | Json[];
  dup?: { key: string; off: number } | undefined; // the duplicated name to report at the close
  // the previous member name, and whether the names so far increase (UTF-16 order): then they are distinct and
  // a member is stored without looking for a duplicate first
  prev: string | null;
  sorted: boolean;
  // span recording only (Parser.spans): whether the text of this container so far is its ope canonical form, and
  // where it starts
  canon: boolean;
  start: number;
}

/**
 * Internal (not exported by the package): a parse that also records, for each object whose text is already its
 * ope canonical form (no whitespace, members in code point order, strings without escapes, numbers as ope writes
 * them), that text. The canonical text of such an object is then the slice itself, without writing it again.
 * Valid only as long as nothing changes the parsed objects: the verifier uses it within one call.
 */
export const CANON_SPANS: unique symbol = Symbol('prova.canonSpans');
export type CanonSpans = Map<object, string>;

class Parser {
  readonly s: string;
  readonly n: number;
  readonly bytes: Uint8Array | null;
  /** Index in s where the input's bytes stopped being valid UTF-8 (bytes input), or -1. */
  readonly bad: number;
  readonly badByte: number;
  readonly maxDepth: number;
  readonly maxString: number;
  readonly maxMembers: number;
  readonly allowNf: boolean;
  readonly allowLone: boolean;
  stack: Frame[] = [];
  spans: CanonSpans | null = null;
  /** Whether the value just parsed is written as ope writes it (span recording only). */
  vc = true;
  /** Whether the last string parsed had an escape. */
  esc = false;

  constructor(s: string, bytes: Uint8Array | null, bad: number, badByte: number, o: ParseOptions) {
    this.s = s;
    this.n = s.length;
    this.bytes = bytes;
    this.bad = bad;
    this.badByte = badByte;
    this.maxDepth = Math.min(o.maxDepth || DEFAULT_MAX_DEPTH, 100000);
    this.maxString = o.maxString || DEFAULT_MAX_STRING;
    this.maxMembers = o.maxMembers || DEFAULT_MAX_MEMBERS;
    this.allowNf = !!o.allowNonfinite;
    this.allowLone = !!o.allowLoneSurrogates;
  }

  // min(k, bytes of the input from index i to its end)
  bytesLeft(i: number, k: number): number {
    const e = Math.min(this.n, i + k);
    let b = utf8Length(this.s, i, e);
    if (this.bad >= 0 && e === this.n) b += this.bytes!.length - this.badByte;
    return b;
  }

  byteOffset(i: number): number {
    if (i === END) return this.bad >= 0 ? this.bytes!.length : utf8Length(this.s, 0, this.n);
    if (this.bad >= 0 && i >= this.bad) return this.badByte + (i - this.bad);
    return utf8Length(this.s, 0, i);
  }

  fail(code: string, message: string, at: number, key?: string): never {
    const off = this.byteOffset(at);
    // line/column count bytes as the C library does
    let line = 1;
    let col = 1;
    const lim = at === END ? this.n : Math.min(at, this.n);
    for (let k = 0; k < lim; k++) {
      const c = this.s.charCodeAt(k);
      if (c === 10) {
        line++;
        col = 1;
      } else if (c < 0x80) col++;
      else if (c < 0x800) col += 2;
      else if (c >= 0xd800 && c <= 0xdbff && k + 1 < lim) {
        col += 4;
        k++;
      } else col += 3;
    }
    if (at === END && this.bad >= 0) col += this.bytes!.length - this.badByte;
    throw new ProvaError(code, message, { offset: off, pointer: this.pointer(key), line, column: col });
  }

  // The JSON Pointer of the current position, cut as the C library cuts it (PROVA_POINTER_MAX bytes with "...").
  pointer(key?: string): string {
    const w = { p: '', len: 0, full: false };
    const st = this.stack;
    for (let d = 0; d < st.length && !w.full; d++) {
      const f = st[d]!;
      if (!f.isObj) ptrToken(w, String(f.count));
      else if (f.key !== null && !(key !== undefined && d + 1 === st.length)) ptrToken(w, f.key);
    }
    if (key !== undefined) ptrToken(w, key);
    return w.p;
  }

  skipWs(i: number): number {
    const s = this.s;
    while (i < this.n) {
      const c = s.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      i++;
    }
    return i;
  }

  // Returns [string, next index].
  str(i0: number): string {
    const s = this.s;
    const n = this.n;
    const start = i0 + 1;
    let i = start;
    for (;;) {
      if (i >= n) {
        if (i === this.bad) this.fail('json_invalid_utf8', 'invalid UTF-8 in string', i);
        this.fail('json_truncated', 'unterminated string', n);
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        this.esc = false;
        const out = s.slice(start, i);
        if ((i - start) * 3 > this.maxString && utf8Length(s, start, i) > this.maxString) {
          this.fail('json_string_limit', 'string longer than the configured limit', start);
        }
        return out;
      }
      if (c === 0x5c) return this.strEscaped(start, i);
      if (c < 0x20) this.fail('json_control_character', 'unescaped control character in string', i);
      if (c >= 0xd800 && c <= 0xdfff) {
        if (c <= 0xdbff && i + 1 < n) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            i += 2;
            continue;
          }
        }
        this.fail('json_invalid_utf8', 'invalid UTF-8 in string', i);
      }
      i++;
    }
  }

  strEscaped(start: number, i: number): string {
    const s = this.s;
    const n = this.n;
    const parts: string[] = [];
    let run = start;
    let blen = -1; // decoded length in bytes, computed at the end
    for (;;) {
      if (i >= n) {
        if (i === this.bad) this.fail('json_invalid_utf8', 'invalid UTF-8 in string', i);
        this.fail('json_truncated', 'unterminated string', n);
      }
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('json_control_character', 'unescaped control character in string', i);
      if (c >= 0xd800 && c <= 0xdfff) {
        if (c <= 0xdbff && i + 1 < n) {
          const d = s.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            i += 2;
            continue;
          }
        }
        this.fail('json_invalid_utf8', 'invalid UTF-8 in string', i);
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      if (i > run) parts.push(s.slice(run, i));
      const esc = i;
      if (i + 1 >= n) {
        if (i + 1 === this.bad) this.fail('json_invalid_escape', 'invalid escape sequence', esc);
        this.fail('json_truncated', 'unterminated escape', n);
      }
      const e = s.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 0x22: parts.push('"'); break;
        case 0x5c: parts.push('\\'); break;
        case 0x2f: parts.push('/'); break;
        case 0x62: parts.push('\b'); break;
        case 0x66: parts.push('\f'); break;
        case 0x6e: parts.push('\n'); break;
        case 0x72: parts.push('\r'); break;
        case 0x74: parts.push('\t'); break;
        case 0x75: {
          // the C parser checks the length first (bytes left in the whole input), then the digits
          if (this.bytesLeft(i, 4) < 4) this.fail('json_truncated', 'truncated \\u escape', END);
          const cp = hex4(s, i, n);
          if (cp < 0) this.fail('json_invalid_escape', '\\u must be followed by four hex digits', esc);
          i += 4;
          if (cp >= 0xd800 && cp <= 0xdbff && n - i >= 6 && s.charCodeAt(i) === 0x5c && s.charCodeAt(i + 1) === 0x75) {
            const lo = hex4(s, i + 2, n);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              parts.push(String.fromCharCode(cp, lo));
              i += 6;
              run = i;
              continue;
            }
          }
          if (cp >= 0xd800 && cp <= 0xdfff && !this.allowLone) {
            this.fail('json_lone_surrogate', 'lone UTF-16 surrogate in \\u escape', esc);
          }
          parts.push(String.fromCharCode(cp));
          break;
        }
        default:
          this.fail('json_invalid_escape', 'invalid escape sequence', esc);
      }
      run = i;
    }
    if (i > run) parts.push(s.slice(run, i));
    const out = parts.join('');
    if (out.length * 3 > this.maxString) {
      blen = utf8Length(out, 0, out.length);
      if (blen > this.maxString) this.fail('json_string_limit', 'string longer than the configured limit', start);
    }
    this.pos = i + 1;
    this.esc = true;
    return out;
  }

  pos = 0;

  num(i0: number): JsonNumber {
    const s = this.s;
    const n = this.n;
    let i = i0;
    let isInt = true;
    if (s.charCodeAt(i) === 0x2d) i++;
    if (i >= n) {
      if (i === this.bad) this.fail('json_syntax', 'invalid number', i0);
      this.fail('json_truncated', "number ends after '-'", n);
    }
    let c = s.charCodeAt(i);
    if (c === 0x49 && this.allowNf) {
      if (!s.startsWith('Infinity', i)) this.fail('json_syntax', 'invalid literal', i0);
      i += 8;
      this.pos = i;
      this.vc = false;
      return new JsonNumber(s.slice(i0, i), false);
    }
    let intDigits = 0;
    if (c === 0x30) {
      i++;
      intDigits = 1;
      if (i < n && isDigit(s.charCodeAt(i))) this.fail('json_leading_zero', 'number has a leading zero', i0);
    } else if (c >= 0x31 && c <= 0x39) {
      const d0 = i;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      intDigits = i - d0;
    } else {
      this.fail('json_syntax', 'invalid number', i0);
    }
    let maybeOverflow = intDigits > 300;
    if (i < n && s.charCodeAt(i) === 0x2e) {
      i++;
      isInt = false;
      if (i >= n) {
        if (i === this.bad) this.fail('json_syntax', 'a digit must follow the decimal point', i);
        this.fail('json_truncated', "number ends after '.'", n);
      }
      if (!isDigit(s.charCodeAt(i))) this.fail('json_syntax', 'a digit must follow the decimal point', i);
      while (i < n && isDigit(s.charCodeAt(i))) i++;
    }
    if (i < n && ((c = s.charCodeAt(i)) === 0x65 || c === 0x45)) {
      i++;
      isInt = false;
      let neg = false;
      if (i < n && ((c = s.charCodeAt(i)) === 0x2b || c === 0x2d)) {
        neg = c === 0x2d;
        i++;
      }
      if (i >= n) {
        if (i === this.bad) this.fail('json_syntax', 'the exponent needs at least one digit', i);
        this.fail('json_truncated', 'number ends in its exponent', n);
      }
      if (!isDigit(s.charCodeAt(i))) this.fail('json_syntax', 'the exponent needs at least one digit', i);
      let e = 0;
      while (i < n && isDigit(s.charCodeAt(i))) {
        if (e < 100000) e = e * 10 + (s.charCodeAt(i) - 0x30);
        i++;
      }
      if (!neg && e + intDigits > 300) maybeOverflow = true;
    }
    const tok = s.slice(i0, i);
    if (!isInt && maybeOverflow && !Number.isFinite(Number(tok))) {
      if (!this.allowNf) this.fail('json_number_range', 'number is too large for a double', i0);
    }
    this.pos = i;
    if (this.spans !== null) this.vc = isInt ? tok !== '-0' : opeFloatToken(tok);
    return new JsonNumber(tok, isInt);
  }

  badLiteral(i: number): never {
    const s = this.s;
    const rest = this.n - i;
    if (this.bad < 0 || this.bad > this.n) {
      for (const lit of ['true', 'false', 'null', 'NaN']) {
        if (rest < lit.length && lit.startsWith(s.slice(i))) this.fail('json_truncated', 'input ends inside a literal', this.n);
      }
    }
    this.fail('json_syntax', 'invalid literal (expected true, false or null)', i);
  }

  run(): Json {
    const s = this.s;
    const n = this.n;
    if (n > 0 && s.charCodeAt(0) === 0xfeff) this.fail('json_bom', 'a byte order mark is not allowed', 0);
    let i = this.skipWs(0);
    if (i >= n) {
      if (i === this.bad) this.fail('json_invalid_utf8', 'invalid UTF-8 where a value is expected', i);
      this.fail('json_empty', 'no JSON value in the input', i);
    }
    const st = this.stack;
    const spans = this.spans;
    let root: Json = null;
    let v: Json;
    let vc = true; // span recording: v is written as ope writes it
    // state machine: value -> after
    value: for (;;) {
      if (spans !== null && st.length > 0) {
        const j = this.skipWs(i);
        if (j !== i) st[st.length - 1]!.canon = false;
        i = j;
      } else i = this.skipWs(i);
      if (i >= n) {
        if (i === this.bad) this.fail('json_invalid_utf8', 'invalid UTF-8 where a value is expected', i);
        this.fail('json_truncated', 'input ends where a value is expected', n);
      }
      const c = s.charCodeAt(i);
      switch (c) {
        case 0x7b:
        case 0x5b: {
          const isObj = c === 0x7b;
          if (st.length >= this.maxDepth) this.fail('json_depth_limit', 'nesting deeper than the configured limit', i);
          // verify() (spans): an object is built with Object.prototype and loses it at its close: V8 keeps an
          // object made with Object.create(null) in dictionary mode, twice as slow to fill and read when it is
          // small (an envelope: 2% of a verification). Not for canonicalizeText and parse(): on large documents
          // of varied shapes (bench/out/bindings/traces_4mb.json) the maps made that way cost more than they save.
          const container: JsonObject | Json[] = isObj ? (spans !== null ? ({} as JsonObject) : newObject()) : [];
          const f: Frame = { isObj, count: 0, key: null, obj: container, dup: undefined, prev: null, sorted: true, canon: true, start: i };
          st.push(f);
          i = this.skipWs(i + 1);
          if (spans !== null && i !== f.start + 1) f.canon = false;
          if (i < n && s.charCodeAt(i) === (isObj ? 0x7d : 0x5d)) {
            // empty container: close
            st.pop();
            if (isObj && spans !== null) Object.setPrototypeOf(container, null);
            v = container;
            i++;
            vc = f.canon;
            if (vc && isObj && spans !== null) spans.set(container, s.slice(f.start, i));
            break;
          }
          if (isObj) {
            i = this.key(i);
            continue value;
          }
          continue value;
        }
        case 0x22:
          v = this.str(i);
          i = this.pos;
          vc = !this.esc;
          break;
        case 0x74:
          if (!s.startsWith('true', i)) this.badLiteral(i);
          v = true;
          vc = true;
          i += 4;
          break;
        case 0x66:
          if (!s.startsWith('false', i)) this.badLiteral(i);
          v = false;
          vc = true;
          i += 5;
          break;
        case 0x6e:
          if (!s.startsWith('null', i)) this.badLiteral(i);
          v = null;
          vc = true;
          i += 4;
          break;
        case 0x4e:
          if (!this.allowNf) this.fail('json_nonfinite', 'NaN is not allowed in JSON', i);
          if (!s.startsWith('NaN', i)) this.badLiteral(i);
          v = new JsonNumber('NaN', false);
          vc = false;
          i += 3;
          break;
        case 0x49:
          if (!this.allowNf) this.fail('json_nonfinite', 'Infinity is not allowed in JSON', i);
          v = this.num(i);
          i = this.pos;
          vc = this.vc;
          break;
        case 0x2d:
          if (i + 1 < n && s.charCodeAt(i + 1) === 0x49 && !this.allowNf) this.fail('json_nonfinite', '-Infinity is not allowed in JSON', i);
          v = this.num(i);
          i = this.pos;
          vc = this.vc;
          break;
        default:
          if (c >= 0x30 && c <= 0x39) {
            v = this.num(i);
            i = this.pos;
            vc = this.vc;
            break;
          }
          if (i === this.bad || (c >= 0xd800 && c <= 0xdfff && !isPairAt(s, i))) this.fail('json_invalid_utf8', 'invalid UTF-8 where a value is expected', i);
          this.fail('json_syntax', 'unexpected character where a value is expected', i);
      }
      // after: attach v and find the next value
      for (;;) {
        if (st.length === 0) {
          root = v;
          i = this.skipWs(i);
          if (i < n || i === this.bad) this.fail('json_trailing_data', 'unexpected data after the JSON value', i);
          return root;
        }
        const f = st[st.length - 1]!;
        if (f.isObj) {
          const key = f.key!;
          const o = f.obj as JsonObject;
          let cur: Json | undefined;
          // (values are never undefined or functions: those are Object.prototype's, not members)
          if (key !== '__proto__' && (f.sorted || (cur = o[key]) === undefined)) o[key] = v;
          else if (typeof cur === 'function' || (key === '__proto__' && !Object.prototype.hasOwnProperty.call(o, key))) {
            Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
          } else if (f.dup === undefined || cmpCodePoint(key, f.dup.key) < 0) f.dup = { key, off: this.keyOff };
        } else {
          (f.obj as Json[]).push(v);
        }
        if (spans !== null) {
          if (!vc) f.canon = false;
          const j = this.skipWs(i);
          if (j !== i) f.canon = false;
          i = j;
        } else i = this.skipWs(i);
        if (i >= n) {
          if (i === this.bad) this.fail('json_syntax', f.isObj ? "expected ',' or '}' after member" : "expected ',' or ']' after element", i);
          this.fail('json_truncated', 'input ends inside a container', n);
        }
        const c2 = s.charCodeAt(i);
        if (c2 === 0x2c) {
          if (++f.count >= this.maxMembers) this.fail('json_member_limit', 'more members or elements than the configured limit', i);
          i++;
          if (f.isObj) {
            f.key = null;
            i = this.key(i);
          }
          continue value;
        }
        if (c2 === (f.isObj ? 0x7d : 0x5d)) {
          if (f.dup !== undefined) this.failDup(f);
          st.pop();
          if (f.isObj && spans !== null) Object.setPrototypeOf(f.obj, null);
          v = f.obj;
          i++;
          vc = f.canon;
          if (vc && f.isObj && spans !== null) spans.set(v, s.slice(f.start, i));
          continue;
        }
        this.fail('json_syntax', f.isObj ? "expected ',' or '}' after member" : "expected ',' or ']' after element", i);
      }
    }
  }

  keyOff = 0;

  failDup(f: Frame): never {
    const d = f.dup!;
    // as the C parser: at the object's close, the smallest duplicated name, at its second occurrence
    this.fail('json_duplicate_key', 'duplicate member name in object', d.off, d.key);
  }

  // Reads a member name at i (after whitespace) and the ':'; returns the index of the value.
  key(i: number): number {
    const s = this.s;
    const n = this.n;
    const i0 = i;
    i = this.skipWs(i);
    if (i >= n) {
      if (i === this.bad) this.fail('json_syntax', 'expected a string as member name', i);
      this.fail('json_truncated', 'input ends where a member name is expected', n);
    }
    if (s.charCodeAt(i) !== 0x22) this.fail('json_syntax', 'expected a string as member name', i);
    const f = this.stack[this.stack.length - 1]!;
    f.key = null;
    const at = i;
    const k = this.str(i);
    f.key = k;
    this.keyOff = at;
    const prev = f.prev;
    // names mostly differ in their first character: then that decides both orders (below U+D800)
    let first = false;
    if (prev !== null) {
      const a = prev.charCodeAt(0);
      const b = k.charCodeAt(0);
      first = a < b && b < 0xd800;
      if (!first && !(prev < k)) f.sorted = false;
    }
    f.prev = k;
    if (this.spans !== null && f.canon) {
      if (i !== i0 || this.esc || !f.sorted || (prev !== null && !first && cmpCodePoint(prev, k) >= 0)) f.canon = false;
      else if (s.charCodeAt(this.pos) !== 0x3a) f.canon = false;
    }
    i = this.skipWs(this.pos);
    if (i >= n) {
      if (i === this.bad) this.fail('json_syntax', "expected ':' after member name", i);
      this.fail('json_truncated', "input ends where ':' is expected", n);
    }
    if (s.charCodeAt(i) !== 0x3a) this.fail('json_syntax', "expected ':' after member name", i);
    return i + 1;
  }
}


const END = -1; // "at the end of the whole input" for fail()
const POINTER_MAX = 256;

interface PtrWriter {
  p: string;
  len: number; // bytes
  full: boolean;
}

function ptrPut(w: PtrWriter, s: string): void {
  if (w.full) return;
  const n = utf8Length(s, 0, s.length);
  if (w.len + n >= POINTER_MAX) {
    const room = POINTER_MAX - 1 - w.len;
    if (room >= 3) {
      w.p += '...';
      w.len += 3;
    }
    w.full = true;
    return;
  }
  w.p += s;
  w.len += n;
}

function ptrToken(w: PtrWriter, k: string): void {
  ptrPut(w, '/');
  let run = 0;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c === 0x7e || c === 0x2f) {
      ptrPut(w, k.slice(run, i));
      ptrPut(w, c === 0x7e ? '~0' : '~1');
      run = i + 1;
    }
  }
  ptrPut(w, k.slice(run));
}

function isPairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) return false;
  const d = s.charCodeAt(i + 1);
  return d >= 0xdc00 && d <= 0xdfff;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

// Four hex digits at s[i..]: the value, -1 for a bad digit, -2 when fewer than 4 characters remain.
function hex4(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < 4; k++) {
    if (i + k >= n) return -2;
    const d = hexDigit(s.charCodeAt(i + k));
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

/** Code point order of two strings (UTF-16 order differs for astral characters against U+E000..U+FFFF). */
export function cmpCodePoint(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  if (i > 0 && (a.charCodeAt(i - 1) & 0xfc00) === 0xd800) i--;
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

/** RFC 6901 escaping of one reference token. */
export function escapeToken(k: string): string {
  if (k.indexOf('~') < 0 && k.indexOf('/') < 0) return k;
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** UTF-8 length of s[a..b) (a lone surrogate counts 3 bytes, as generalized UTF-8). */
export function utf8Length(s: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n++;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < b && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Parses JSON text (a string, or UTF-8 bytes checked strictly) into null-prototype objects, arrays, strings,
 * booleans, null and JsonNumber tokens. Throws ProvaError with the C parser's reason code, byte offset and pointer.
 */
export function parse(text: string | Uint8Array, options: ParseOptions = {}): Json {
  return parseImpl(text, options, undefined);
}

function parseImpl(text: string | Uint8Array, options: ParseOptions, spans: CanonSpans | undefined): Json {
  const maxSize = options.maxSize || DEFAULT_MAX_SIZE;
  let s: string;
  let bytes: Uint8Array | null = null;
  let bad = -1;
  let badByte = 0;
  if (typeof text === 'string') {
    s = text;
    if (s.length > maxSize / 3 && utf8Length(s, 0, s.length) > maxSize) {
      throw new ProvaError('json_size_limit', 'document larger than the configured limit', { offset: 0, pointer: '', line: 1, column: 1 });
    }
  } else {
    bytes = text;
    if (bytes.length > maxSize) {
      throw new ProvaError('json_size_limit', 'document larger than the configured limit', { offset: 0, pointer: '', line: 1, column: 1 });
    }
    if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
      throw new ProvaError('json_bom', 'a byte order mark is not allowed', { offset: 0, pointer: '', line: 1, column: 1 });
    }
    try {
      s = strictDecoder.decode(bytes);
    } catch {
      // Parse the valid prefix; reaching its end means meeting the invalid byte.
      badByte = utf8InvalidOffset(bytes);
      s = strictDecoder.decode(bytes.subarray(0, badByte));
      bad = s.length;
    }
  }
  const p = new Parser(s, bytes, bad, badByte, options);
  if (spans !== undefined) p.spans = spans;
  return p.run();
}

/** parse(), recording in spans the text of each object already in ope canonical form (see CANON_SPANS). */
export function parseRecordingSpans(text: string | Uint8Array, options: ParseOptions, spans: CanonSpans): Json {
  return parseImpl(text, options, spans);
}

// A float token as ope writes it (Python's repr of the double)
function opeFloatToken(tok: string): boolean {
  const d = Number(tok);
  // where Python writes fixed notation (1e-4 <= |x| < 1e16) ECMAScript does too, with the same shortest digits,
  // except for integral values (Python adds ".0"): String() is the cheaper test there
  const a = d < 0 ? -d : d;
  if (a >= 1e-4 && a < 1e16 && String(d) === tok) return true;
  return Number.isFinite(d) && formatPyFloat(d) === tok;
}

/** Pointer-style lookup of a member of an object (undefined when absent or not an object). */
export function member(v: Json | undefined, key: string): Json | undefined {
  if (!isJsonObject(v)) return undefined;
  return Object.prototype.hasOwnProperty.call(v, key) ? v[key] : undefined;
}

/** JSON type name as the C library's messages use it. */
export function typeName(v: Json | undefined): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (v instanceof JsonNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
