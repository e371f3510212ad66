// Bytes and text: strict UTF-8, hex, base64 and base64url as the C library's codec.c (same checks, reasons and
// offsets).

import { ProvaError } from './errors.js';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 of a string. Lone surrogates become U+FFFD (TextEncoder's rule); use canonicalization for exact bytes. */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decoding: invalid sequences fail with `utf8_invalid` and the byte offset of the first bad byte. */
export function utf8Decode(b: Uint8Array): string {
  try {
    return strictDecoder.decode(b);
  } catch {
    const off = utf8InvalidOffset(b);
    throw new ProvaError('utf8_invalid', 'invalid UTF-8', { offset: off < 0 ? 0 : off });
  }
}

/** Offset of the first byte of an invalid UTF-8 sequence, or -1 when b is valid UTF-8 (RFC 3629). */
export function utf8InvalidOffset(b: Uint8Array, start = 0, end = b.length): number {
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c === 0xe0) { n = 2; lo = 0xa0; }
    else if (c >= 0xe1 && c <= 0xec) n = 2;
    else if (c === 0xed) { n = 2; hi = 0x9f; }
    else if (c >= 0xee && c <= 0xef) n = 2;
    else if (c === 0xf0) { n = 3; lo = 0x90; }
    else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else if (c === 0xf4) { n = 3; hi = 0x8f; }
    else return i;
    if (i + n >= end) return i;
    const c1 = b[i + 1]!;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= n; k++) {
      const ck = b[i + k]!;
      if (ck < 0x80 || ck > 0xbf) return i;
    }
    i += n + 1;
  }
  return -1;
}

const HEX = '0123456789abcdef';
const HEX_TABLE: string[] = [];
for (let i = 0; i < 256; i++) HEX_TABLE.push(HEX[i >> 4]! + HEX[i & 15]!);

/** Lowercase hex. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX_TABLE[b[i]!]!;
  return s;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Hex of either case (prova_hex_decode): `hex_invalid` at the first non-digit, or at the end when odd. */
export function fromHex(s: string): Uint8Array {
  for (let i = 0; i < s.length; i++) {
    if (hexValue(s.charCodeAt(i)) < 0) throw new ProvaError('hex_invalid', 'not a hexadecimal digit', { offset: i });
  }
  if (s.length % 2 !== 0) throw new ProvaError('hex_invalid', 'odd number of hexadecimal digits', { offset: s.length });
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (hexValue(s.charCodeAt(2 * i)) << 4) | hexValue(s.charCodeAt(2 * i + 1));
  return out;
}

/** True when s is n hex digits (lowercase only when lowerOnly). */
export function isHex(s: string, n: number, lowerOnly: boolean): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (!lowerOnly && c >= 0x41 && c <= 0x46))) return false;
  }
  return true;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DEC_STD = new Int16Array(128).fill(-1);
const DEC_URL = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  DEC_STD[B64.charCodeAt(i)] = i;
  DEC_URL[B64URL.charCodeAt(i)] = i;
}

function b64encode(b: Uint8Array, alpha: string, pad: boolean): string {
  let s = '';
  let i = 0;
  for (; i + 3 <= b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += alpha[v >> 18]! + alpha[(v >> 12) & 63]! + alpha[(v >> 6) & 63]! + alpha[v & 63]!;
  }
  const rem = b.length - i;
  if (rem === 1) {
    const v = b[i]! << 16;
    s += alpha[v >> 18]! + alpha[(v >> 12) & 63]! + (pad ? '==' : '');
  } else if (rem === 2) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8);
    s += alpha[v >> 18]! + alpha[(v >> 12) & 63]! + alpha[(v >> 6) & 63]! + (pad ? '=' : '');
  }
  return s;
}

/** Standard base64 with padding. */
export function toBase64(b: Uint8Array): string {
  return b64encode(b, B64, true);
}

/** base64url without padding. */
export function toBase64Url(b: Uint8Array): string {
  return b64encode(b, B64URL, false);
}

function b64decode(s: string, url: boolean): Uint8Array {
  const table = url ? DEC_URL : DEC_STD;
  const n = s.length;
  let pad = 0;
  while (pad < n && s.charCodeAt(n - 1 - pad) === 0x3d) pad++;
  const data = n - pad;
  for (let i = 0; i < data; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || table[c]! < 0) throw new ProvaError('base64_invalid', 'character outside the alphabet', { offset: i });
  }
  const rem = data % 4;
  if (rem === 1) throw new ProvaError('base64_invalid', 'truncated base64 (one dangling character)', { offset: data - 1 });
  const wantPad = rem === 0 ? 0 : 4 - rem;
  if (pad > 0 && pad !== wantPad) {
    throw new ProvaError('base64_invalid', 'wrong base64 padding', { offset: pad > wantPad ? data + wantPad : n });
  }
  if (!url && pad !== wantPad) throw new ProvaError('base64_invalid', 'missing base64 padding', { offset: n });
  if (rem !== 0) {
    const last = table[s.charCodeAt(data - 1)]!;
    if ((last & (rem === 2 ? 0x0f : 0x03)) !== 0) {
      throw new ProvaError('base64_invalid', 'non-zero trailing bits', { offset: data - 1 });
    }
  }
  const need = ((data / 4) | 0) * 3 + (rem === 0 ? 0 : rem - 1);
  const out = new Uint8Array(need);
  let o = 0;
  let i = 0;
  for (; i + 4 <= data; i += 4) {
    const v = (table[s.charCodeAt(i)]! << 18) | (table[s.charCodeAt(i + 1)]! << 12) | (table[s.charCodeAt(i + 2)]! << 6) |
      table[s.charCodeAt(i + 3)]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (rem >= 2) {
    const v = (table[s.charCodeAt(i)]! << 18) | (table[s.charCodeAt(i + 1)]! << 12) |
      (rem === 3 ? table[s.charCodeAt(i + 2)]! << 6 : 0);
    out[o++] = v >> 16;
    if (rem === 3) out[o++] = (v >> 8) & 255;
  }
  return out;
}

/** Strict standard base64 (prova_base64_decode): padding required, no whitespace, zero pad bits. */
export function fromBase64(s: string): Uint8Array {
  return b64decode(s, false);
}

/** Strict base64url (prova_base64url_decode): padding optional but exact when present, zero pad bits. */
export function fromBase64Url(s: string): Uint8Array {
  return b64decode(s, true);
}

/** Constant-time-ish equality of two byte arrays (public data only in this package). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Concatenation of byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
