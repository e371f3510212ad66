// Hashes, HMAC, keys, signatures: what libprova's src/lib/crypto/ does, in TypeScript.
//
// Backend: node:crypto when running in Node (loaded with a dynamic import whose specifier a bundler does not
// follow, so a browser bundle never pulls it in), WebCrypto (globalThis.crypto.subtle) otherwise. Key objects are
// built once per Key and cached.
//
// Algorithms (docs/keys.md): ed25519 (both backends), ecdsa-p256/p384/p521 (both; DER ECDSA-Sig-Value signatures,
// the digest tied to the curve), ed448 (Node only: WebCrypto has no Ed448 in browsers). sha3-* hashes: Node only.
//
// Ed25519 strictness is libsodium's crypto_sign_ed25519_verify_detached() (1.0.18+, not ED25519_COMPAT), which
// is what the C library calls:
//   - S must be canonical (S < L);
//   - R must not be of small order (its y, reduced mod p, sign bit ignored, is one of the 7 blacklisted values);
//   - A must be canonical (y < p) and not of small order;
//   - then the cofactorless equation, with the encoding of [S]B - [h]A compared byte for byte with R.
// OpenSSL (Node) and WebCrypto do the last step and the S check but accept a small-order R: the checks are added
// here before the native call. As in the C library, a public key is refused when it is loaded unless it is a
// canonical point of the prime-order subgroup (libsodium's crypto_core_ed25519_is_valid_point()).

import type * as NodeCrypto from 'node:crypto';

// ---- errors (the C library's reason codes) -----------------------------------------------------------------

import { ProvaError } from './errors.js';
import { concatBytes } from './bytes.js';

function fail(code: string, message: string, pointer?: string): never {
    throw new ProvaError(code, message, pointer === undefined ? {} : { pointer });
}

// ---- small byte helpers (private: the package's bytes.ts holds the public ones) ---------------------------

const te = new TextEncoder();

function asBytes(b: Uint8Array | string): Uint8Array {
    return typeof b === 'string' ? te.encode(b) : b;
}

function hex(b: Uint8Array): string {
    let s = '';
    for (const x of b) s += x.toString(16).padStart(2, '0');
    return s;
}

function unhex(s: string): Uint8Array {
    if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) fail('hex_invalid', 'not hex');
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
    return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function b64urlEncode(b: Uint8Array): string {
    let s = '';
    let i = 0;
    for (; i + 2 < b.length; i += 3) {
        const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
        s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
    }
    if (b.length - i === 1) {
        const n = b[i]! << 16;
        s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
    } else if (b.length - i === 2) {
        const n = (b[i]! << 16) | (b[i + 1]! << 8);
        s += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
    }
    return s;
}

// Strict base64url without padding (as libsodium's decoder: unused trailing bits must be zero). null when invalid.
function b64urlDecode(s: string): Uint8Array | null {
    if (s.length % 4 === 1) return null;
    const out = new Uint8Array(Math.floor((s.length * 3) / 4));
    let acc = 0;
    let bits = 0;
    let o = 0;
    for (let i = 0; i < s.length; i++) {
        const v = B64URL.indexOf(s[i]!);
        if (v < 0) return null;
        acc = ((acc << 6) | v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (acc >> bits) & 0xff;
        }
    }
    if ((acc & ((1 << bits) - 1)) !== 0) return null;
    return out.subarray(0, o);
}

function bytesToBig(b: Uint8Array): bigint {
    return b.length === 0 ? 0n : BigInt('0x' + hex(b));
}

function bigToBytes(x: bigint, len: number): Uint8Array {
    const h = x.toString(16).padStart(len * 2, '0');
    return unhex(h);
}

function leToBig(b: Uint8Array): bigint {
    return bytesToBig(Uint8Array.from(b).reverse());
}

// ---- backend -----------------------------------------------------------------------------------------------

type Backend = { node: typeof NodeCrypto | null; subtle: SubtleCrypto | null };
let backendPromise: Promise<Backend> | null = null;
/** node:crypto once backend() has loaded it (and WebCrypto is not forced): the synchronous fast paths use it. */
let nodeLoaded: typeof NodeCrypto | null = null;

function isNode(): boolean {
    const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
    return typeof p?.versions?.node === 'string';
}

/** The crypto backend: node:crypto in Node, WebCrypto otherwise. */
export function backend(): Promise<Backend> {
    if (!backendPromise) {
        backendPromise = (async (): Promise<Backend> => {
            const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle ?? null;
            if (isNode()) {
                // A specifier in a variable: bundlers leave it alone (and browsers never reach this line).
                const spec = 'node:crypto';
                const node = (await import(/* @vite-ignore */ /* webpackIgnore: true */ spec)) as typeof NodeCrypto;
                nodeLoaded = node;
                return { node, subtle };
            }
            if (!subtle) fail('crypto_backend', 'no WebCrypto (globalThis.crypto.subtle) in this runtime');
            return { node: null, subtle };
        })();
    }
    return backendPromise;
}

/** Uses WebCrypto even in Node (tests of the browser path). */
export function useWebCrypto(on: boolean): void {
    nodeLoaded = null;
    if (!on) {
        backendPromise = null;
        return;
    }
    const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle ?? null;
    if (!subtle) fail('crypto_backend', 'no WebCrypto in this runtime');
    backendPromise = Promise.resolve({ node: null, subtle });
}

function buf(b: Uint8Array): ArrayBuffer {
    // A fresh ArrayBuffer holding exactly these bytes (WebCrypto's BufferSource typing).
    return b.slice().buffer as ArrayBuffer;
}

// ---- hashes ------------------------------------------------------------------------------------------------

export type HashAlg = 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512';
const HASH_LEN: Record<HashAlg, number> = {
    sha256: 32,
    sha384: 48,
    sha512: 64,
    'sha3-256': 32,
    'sha3-384': 48,
    'sha3-512': 64,
};
const WEB_HASH: Partial<Record<HashAlg, string>> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

export function hashLength(alg: HashAlg): number {
    return HASH_LEN[alg];
}

/** True when this runtime can compute the hash (sha3-* needs Node). */
export async function hashAvailable(alg: HashAlg): Promise<boolean> {
    const be = await backend();
    return be.node !== null || WEB_HASH[alg] !== undefined;
}

export async function hash(alg: HashAlg, data: Uint8Array | string): Promise<Uint8Array> {
    const b = asBytes(data);
    const be = await backend();
    if (be.node) return new Uint8Array(be.node.createHash(alg).update(b).digest());
    const w = WEB_HASH[alg];
    if (!w) fail('hash_unsupported', `${alg} is not available in this runtime (WebCrypto has no SHA-3)`);
    return new Uint8Array(await be.subtle!.digest(w, buf(b)));
}

/**
 * The hash of data now, synchronously, when node:crypto is the backend and loaded (after any awaited call of this
 * module, e.g. backend()); null otherwise (WebCrypto: use hash()). A string is hashed as its UTF-8.
 */
export function hashSync(alg: HashAlg, data: Uint8Array | string): Uint8Array | null {
    const node = nodeLoaded;
    if (node === null) return null;
    return node.createHash(alg).update(data).digest();
}

/**
 * hashSync() as lowercase hex: one call of crypto.hash where the runtime has it (Node >= 20.12 / 21.7: no Hash
 * object, no Buffer), else createHash. null without node:crypto loaded.
 */
export function hashHexSync(alg: HashAlg, data: Uint8Array | string): string | null {
  const node = nodeLoaded;
  if (node === null) return null;
  const once = (node as unknown as { hash?: (a: string, d: Uint8Array | string, enc: 'hex') => string }).hash;
  if (typeof once === 'function') return once(alg, data, 'hex');
  return node.createHash(alg).update(data).digest('hex');
}

export const sha256 = (d: Uint8Array | string): Promise<Uint8Array> => hash('sha256', d);
export const sha384 = (d: Uint8Array | string): Promise<Uint8Array> => hash('sha384', d);
export const sha512 = (d: Uint8Array | string): Promise<Uint8Array> => hash('sha512', d);

export async function hmacSha256(key: Uint8Array, data: Uint8Array | string): Promise<Uint8Array> {
    const b = asBytes(data);
    const be = await backend();
    if (be.node) return new Uint8Array(be.node.createHmac('sha256', key).update(b).digest());
    // HMAC pads a short key with zeros to the block size: an empty key is 64 zero bytes (WebCrypto refuses "").
    const kb = key.length === 0 ? new Uint8Array(64) : key;
    const k = await be.subtle!.importKey('raw', buf(kb), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await be.subtle!.sign('HMAC', k, buf(b)));
}

/** Constant-time equality of two byte strings (the time depends only on the lengths). */
export function ctEqual(a: Uint8Array, b: Uint8Array): boolean {
    if (a.length !== b.length) return false;
    let d = 0;
    for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
    return d === 0;
}

export function randomBytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    (globalThis as { crypto: Crypto }).crypto.getRandomValues(out);
    return out;
}

// ---- Ed25519 point arithmetic (public data only: variable time is fine) ------------------------------------

const P25519 = (1n << 255n) - 19n;
const L25519 = (1n << 252n) + 27742317777372353535851937790883648493n;

function mod(a: bigint, m: bigint): bigint {
    const r = a % m;
    return r < 0n ? r + m : r;
}

function powmod(b: bigint, e: bigint, m: bigint): bigint {
    let r = 1n;
    b = mod(b, m);
    while (e > 0n) {
        if (e & 1n) r = (r * b) % m;
        b = (b * b) % m;
        e >>= 1n;
    }
    return r;
}

const inv = (a: bigint, m: bigint): bigint => powmod(a, m - 2n, m);
const D25519 = mod(-121665n * inv(121666n, P25519), P25519);
const SQRTM1 = powmod(2n, (P25519 - 1n) / 4n, P25519);

type Ext = [bigint, bigint, bigint, bigint]; // X, Y, Z, T

function edAdd(a: Ext, b: Ext): Ext {
    const p = P25519;
    const [x1, y1, z1, t1] = a;
    const [x2, y2, z2, t2] = b;
    const A = mod((y1 - x1) * (y2 - x2), p);
    const B = mod((y1 + x1) * (y2 + x2), p);
    const C = mod(2n * D25519 * t1 * t2, p);
    const D = mod(2n * z1 * z2, p);
    const E = B - A,
        F = D - C,
        G = D + C,
        H = B + A;
    return [mod(E * F, p), mod(G * H, p), mod(F * G, p), mod(E * H, p)];
}

function edMul(k: bigint, P: Ext): Ext {
    let R: Ext = [0n, 1n, 1n, 0n];
    let Q = P;
    while (k > 0n) {
        if (k & 1n) R = edAdd(R, Q);
        Q = edAdd(Q, Q);
        k >>= 1n;
    }
    return R;
}

function edIsIdentity(P: Ext): boolean {
    return mod(P[0], P25519) === 0n && mod(P[1] - P[2], P25519) === 0n;
}

// Decodes y (already < p or reduced by the caller) and the sign of x. null when not on the curve.
function edDecode(y: bigint, sign: number): Ext | null {
    const p = P25519;
    const y2 = (y * y) % p;
    const u = mod(y2 - 1n, p);
    const v = mod(D25519 * y2 + 1n, p);
    const w = (u * inv(v, p)) % p;
    let x = powmod(w, (p + 3n) / 8n, p);
    if ((x * x) % p !== w) x = (x * SQRTM1) % p;
    if ((x * x) % p !== w) return null;
    if (x === 0n && sign === 1) return null;
    if (Number(x & 1n) !== sign) x = p - x;
    return [x, y, 1n, (x * y) % p];
}

function edY(enc: Uint8Array): { y: bigint; sign: number } {
    const b = Uint8Array.from(enc);
    const sign = b[31]! >> 7;
    b[31] = b[31]! & 0x7f;
    return { y: leToBig(b), sign };
}

// libsodium ge25519_has_small_order(): y mod p (sign ignored) is the y of a point of order 1, 2, 4 or 8.
// libsodium's ge25519_has_small_order(): the encodings of the points of order 1, 2, 4 and 8 (y = 0, 1, p - 1 and
// the two order-8 y values), and the non-canonical p and p + 1, compared with the sign bit ignored. A table
// lookup, as libsodium does, rather than decoding R and multiplying it by 8 on every signature (that was half of
// an envelope's verification time); test/crypto.test.mjs checks the table against the point arithmetic.
const ED25519_SMALL_ORDER: readonly Uint8Array[] = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(h.match(/../g)!, (b) => parseInt(b, 16)));

export function ed25519HasSmallOrder(enc: Uint8Array): boolean {
    if (enc.length !== 32) return false;
    for (const t of ED25519_SMALL_ORDER) {
        let diff = (enc[31]! & 0x7f) ^ t[31]!;
        for (let i = 0; i < 31 && diff === 0; i++) diff |= enc[i]! ^ t[i]!;
        if (diff === 0) return true;
    }
    return false;
}

// L, little-endian: S < L is a byte comparison from the most significant byte (libsodium's sc25519_is_canonical).
const L25519_LE: Uint8Array = (() => {
    const b = new Uint8Array(32);
    let v = L25519;
    for (let i = 0; i < 32; i++, v >>= 8n) b[i] = Number(v & 0xffn);
    return b;
})();

function scalarBelowL(s: Uint8Array): boolean {
    for (let i = 31; i >= 0; i--) {
        if (s[i]! !== L25519_LE[i]!) return s[i]! < L25519_LE[i]!;
    }
    return false;
}

/** The same property by point arithmetic (decode, multiply by 8): the reference the table is tested against. */
export function ed25519HasSmallOrderSlow(enc: Uint8Array): boolean {
    const { y } = edY(enc);
    const P = edDecode(mod(y, P25519), 0);
    if (!P) return false;
    return edIsIdentity(edMul(8n, P));
}

// libsodium crypto_core_ed25519_is_valid_point(): canonical, on the curve, in the prime-order subgroup, not of
// small order.
export function ed25519PublicKeyValid(enc: Uint8Array): boolean {
    if (enc.length !== 32) return false;
    const { y, sign } = edY(enc);
    if (y >= P25519) return false;
    if (ed25519HasSmallOrder(enc)) return false;
    const P = edDecode(y, sign);
    if (!P) return false;
    return edIsIdentity(edMul(L25519, P));
}

/** libsodium's checks before the equation: S < L, R not of small order (A is checked when the key is loaded). */
export function ed25519SignaturePrecheck(sig: Uint8Array): boolean {
    if (sig.length !== 64) return false;
    if (!scalarBelowL(sig.subarray(32))) return false;
    return !ed25519HasSmallOrder(sig.subarray(0, 32));
}

// ---- Ed448 public key check (RFC 8032 §5.2.3, as src/lib/crypto/sign.c ed448_public_ok) ------------------

const P448 = (1n << 448n) - (1n << 224n) - 1n;

function ed448PublicKeyValid(pub: Uint8Array): boolean {
    if (pub.length !== 57 || (pub[56]! & 0x7f) !== 0) return false;
    const sign = pub[56]! >> 7;
    const p = P448;
    const d = p - 39081n;
    const y = leToBig(pub.subarray(0, 56));
    if (y >= p || y === 0n) return false;
    const y2 = (y * y) % p;
    const u = y2 - 1n;
    const v = mod(d * y2 - 1n, p);
    if (u === 0n) return false;
    const w = (u * inv(v, p)) % p;
    const x = powmod(w, (p + 1n) / 4n, p);
    if ((x * x) % p !== w) return false;
    if (x === 0n && sign) return false;
    return true;
}

// ---- the algorithm table ------------------------------------------------------------------------------------

export type SigAlg = 'ed25519' | 'ed448' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521';

interface SigInfo {
    name: SigAlg;
    kty: 'OKP' | 'EC';
    crv: string;
    jwkAlg: string;
    pubLen: number;
    privLen: number;
    coordLen: number;
    sigMax: number;
    digest: HashAlg | null;
    spkiPrefix: string; // hex of the DER SubjectPublicKeyInfo before the raw public key
    p?: bigint;
    b?: bigint;
    n?: bigint;
}

const SIGS: Record<SigAlg, SigInfo> = {
    ed25519: {
        name: 'ed25519', kty: 'OKP', crv: 'Ed25519', jwkAlg: 'EdDSA', pubLen: 32, privLen: 32, coordLen: 0,
        sigMax: 64, digest: null, spkiPrefix: '302a300506032b6570032100',
    },
    ed448: {
        name: 'ed448', kty: 'OKP', crv: 'Ed448', jwkAlg: 'EdDSA', pubLen: 57, privLen: 57, coordLen: 0,
        sigMax: 114, digest: null, spkiPrefix: '3043300506032b6571033a00',
    },
    'ecdsa-p256': {
        name: 'ecdsa-p256', kty: 'EC', crv: 'P-256', jwkAlg: 'ES256', pubLen: 65, privLen: 32, coordLen: 32,
        sigMax: 72, digest: 'sha256', spkiPrefix: '3059301306072a8648ce3d020106082a8648ce3d030107034200',
        p: (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n,
        b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
        n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    },
    'ecdsa-p384': {
        name: 'ecdsa-p384', kty: 'EC', crv: 'P-384', jwkAlg: 'ES384', pubLen: 97, privLen: 48, coordLen: 48,
        sigMax: 104, digest: 'sha384', spkiPrefix: '3076301006072a8648ce3d020106052b81040022036200',
        p: (1n << 384n) - (1n << 128n) - (1n << 96n) + (1n << 32n) - 1n,
        b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
        n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    },
    'ecdsa-p521': {
        name: 'ecdsa-p521', kty: 'EC', crv: 'P-521', jwkAlg: 'ES512', pubLen: 133, privLen: 66, coordLen: 66,
        sigMax: 139, digest: 'sha512', spkiPrefix: '30819b301006072a8648ce3d020106052b8104002303818600',
        p: (1n << 521n) - 1n,
        b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
        n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    },
};

export const SIG_ALGS: readonly SigAlg[] = ['ed25519', 'ed448', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521'];

export function isSigAlg(s: unknown): s is SigAlg {
    return typeof s === 'string' && Object.prototype.hasOwnProperty.call(SIGS, s);
}

/** True when this runtime signs and verifies alg (ed448: Node only). */
export async function sigAvailable(alg: SigAlg): Promise<boolean> {
    if (alg !== 'ed448') return true;
    return (await backend()).node !== null;
}

function ecOnCurve(si: SigInfo, pub: Uint8Array): boolean {
    if (pub.length !== si.pubLen || pub[0] !== 0x04) return false;
    const p = si.p!;
    const x = bytesToBig(pub.subarray(1, 1 + si.coordLen));
    const y = bytesToBig(pub.subarray(1 + si.coordLen));
    if (x >= p || y >= p) return false;
    // y^2 = x^3 - 3x + b; prime-order curves: every affine point on the curve is in the group.
    return mod(y * y - (x * x * x - 3n * x + si.b!), p) === 0n;
}

// ---- DER ECDSA-Sig-Value (strict: OpenSSL re-encodes and compares) ---------------------------------------

function derInt(x: bigint): Uint8Array {
    let h = x.toString(16);
    if (h.length % 2) h = '0' + h;
    let b = unhex(h);
    if (b[0]! & 0x80) b = concatBytes(new Uint8Array([0]), b);
    return concatBytes(derLen(0x02, b.length), b);
}

function derLen(tag: number, n: number): Uint8Array {
    if (n < 0x80) return new Uint8Array([tag, n]);
    if (n < 0x100) return new Uint8Array([tag, 0x81, n]);
    return new Uint8Array([tag, 0x82, n >> 8, n & 0xff]);
}

export function ecdsaDerEncode(r: bigint, s: bigint): Uint8Array {
    const body = concatBytes(derInt(r), derInt(s));
    return concatBytes(derLen(0x30, body.length), body);
}

/** Parses a DER ECDSA-Sig-Value; null unless it is exactly the minimal DER encoding of two positive INTEGERs. */
export function ecdsaDerDecode(sig: Uint8Array): { r: bigint; s: bigint } | null {
    let i = 0;
    const readLen = (): number => {
        if (i >= sig.length) return -1;
        const b = sig[i++]!;
        if (b < 0x80) return b;
        if (b === 0x81) {
            if (i >= sig.length) return -1;
            const n = sig[i++]!;
            return n >= 0x80 ? n : -1;
        }
        return -1; // no signature here is 256 bytes or longer
    };
    const readInt = (): bigint | null => {
        if (sig[i++] !== 0x02) return null;
        const n = readLen();
        if (n <= 0 || i + n > sig.length) return null;
        const v = sig.subarray(i, i + n);
        i += n;
        if (v[0]! & 0x80) return null; // negative
        if (v[0] === 0 && (n === 1 || !(v[1]! & 0x80))) {
            if (n === 1) return 0n;
            return null; // non-minimal
        }
        return bytesToBig(v);
    };
    if (sig[i++] !== 0x30) return null;
    const total = readLen();
    if (total < 0 || i + total !== sig.length) return null;
    const r = readInt();
    if (r === null) return null;
    const s = readInt();
    if (s === null || i !== sig.length) return null;
    return { r, s };
}

// ---- keys --------------------------------------------------------------------------------------------------

export interface Jwk {
    kty?: unknown;
    crv?: unknown;
    x?: unknown;
    y?: unknown;
    d?: unknown;
    kid?: unknown;
    alg?: unknown;
    use?: unknown;
    [k: string]: unknown;
}

function kidValid(kid: string): boolean {
    return kid.length > 0 && kid.length < 128 && /^[\x20-\x7e]*$/.test(kid);
}

const ED25519_PKCS8 = '302e020100300506032b657004220420';
const ED448_PKCS8 = '3047020100300506032b6571043b0439';

type NodeKeys = { pub: NodeCrypto.KeyObject; priv: NodeCrypto.KeyObject | null };
type WebKeys = { pub: CryptoKey; priv: CryptoKey | null };

export class Key {
    readonly alg: SigAlg;
    /** Raw public key: 32/57 bytes (EdDSA) or 04||X||Y (ECDSA). */
    readonly publicKey: Uint8Array;
    #priv: Uint8Array | null;
    #kid: string;
    #node: NodeKeys | null = null;
    #web: WebKeys | null = null;

    private constructor(alg: SigAlg, pub: Uint8Array, priv: Uint8Array | null, kid: string) {
        this.alg = alg;
        this.publicKey = pub;
        this.#priv = priv;
        this.#kid = kid;
    }

    get kid(): string {
        return this.#kid;
    }

    set kid(kid: string) {
        if (typeof kid !== 'string' || !kidValid(kid)) fail('invalid_argument', 'a kid is 1 to 127 printable ASCII characters');
        this.#kid = kid;
    }

    get isPrivate(): boolean {
        return this.#priv !== null;
    }

    /** The DER SubjectPublicKeyInfo (as OpenSSL's i2d_PUBKEY writes it: named curve, uncompressed point). */
    spki(): Uint8Array {
        return concatBytes(unhex(SIGS[this.alg].spkiPrefix), this.publicKey);
    }

    /** PEM "PUBLIC KEY" (RFC 7468: 64-character lines, LF). */
    toPem(): string {
        const b64 = b64urlEncode(this.spki()).replace(/-/g, '+').replace(/_/g, '/');
        const padded = b64 + '='.repeat((4 - (b64.length % 4)) % 4);
        const lines = padded.match(/.{1,64}/g) ?? [];
        return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
    }

    /** Builds and checks a key from raw components (the C library's prova__key_build). */
    static async fromRaw(alg: SigAlg, pub: Uint8Array | null, priv: Uint8Array | null, kid?: string): Promise<Key> {
        const si = SIGS[alg];
        if (!si) fail('invalid_argument', 'unknown signature algorithm');
        if (!pub && !priv) fail('invalid_argument', 'no key material');
        if (pub && pub.length !== si.pubLen) fail('key_invalid_public', 'public key has the wrong length');
        if (priv && priv.length !== si.privLen) fail('key_invalid_private', 'private key has the wrong length');
        if (alg === 'ed448' && !(await sigAvailable('ed448')))
            fail('unsupported', 'Ed448 is not available in this runtime (WebCrypto has no Ed448)');
        const be = await backend();
        let derived: Uint8Array;
        if (priv) {
            derived = await derivePublic(be, si, priv);
            if (pub && !ctEqual(pub, derived)) fail('key_mismatch', 'the private key does not match the public key');
        } else {
            derived = Uint8Array.from(pub!);
            if (alg === 'ed25519' && !ed25519PublicKeyValid(derived))
                fail('key_invalid_public', 'not a valid Ed25519 public key');
            if (alg === 'ed448' && !ed448PublicKeyValid(derived)) fail('key_invalid_public', 'not a valid Ed448 public key');
            if (si.kty === 'EC') {
                if (derived[0] !== 0x04) fail('key_invalid_public', 'EC public key is not an uncompressed point');
                if (!ecOnCurve(si, derived)) fail('key_invalid_public', 'the EC key failed validation (point, scalar or pair)');
            }
        }
        const k = new Key(alg, derived, priv ? Uint8Array.from(priv) : null, '');
        if (kid !== undefined) k.kid = kid;
        else {
            const h = await sha256(alg === 'ed25519' ? derived : k.spki());
            k.#kid = `${alg}-${hex(h.subarray(0, 8))}`;
        }
        return k;
    }

    static fromEd25519Seed(seed: Uint8Array, kid?: string): Promise<Key> {
        return Key.fromRaw('ed25519', null, seed, kid);
    }

    static fromEd25519Public(pub: Uint8Array, kid?: string): Promise<Key> {
        return Key.fromRaw('ed25519', pub, null, kid);
    }

    static async generate(alg: SigAlg = 'ed25519'): Promise<Key> {
        const si = SIGS[alg];
        if (!si) fail('invalid_argument', 'unknown signature algorithm');
        if (si.kty === 'OKP') return Key.fromRaw(alg, null, randomBytes(si.privLen));
        // A scalar in [1, n-1]: rejection sampling over the byte length, top bits masked (P-521 has 521 bits).
        const bits = si.n!.toString(2).length;
        for (;;) {
            const d = randomBytes(si.privLen);
            const extra = si.privLen * 8 - bits;
            d[0] = d[0]! & (0xff >> extra);
            const v = bytesToBig(d);
            if (v >= 1n && v < si.n!) return Key.fromRaw(alg, null, d);
        }
    }

    /** A JWK (object or text), checked as prova_key_from_jwk_value does; reason codes jwk_*. */
    static async fromJwk(jwkIn: Jwk | string): Promise<Key> {
        let jwk: Jwk;
        if (typeof jwkIn === 'string') {
            try {
                jwk = JSON.parse(jwkIn) as Jwk;
            } catch {
                fail('json_syntax', 'a JWK must be JSON');
            }
        } else jwk = jwkIn;
        if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) fail('jwk_not_object', 'a JWK must be a JSON object');
        const has = (m: string): boolean => Object.prototype.hasOwnProperty.call(jwk, m);
        if (!has('kty') && Array.isArray(jwk['keys'])) fail('key_is_jwks', 'a JWKS (a set of keys under "keys"), not a single key');
        if (!has('kty')) fail('jwk_missing_member', 'a required JWK member is missing', '/kty');
        if (typeof jwk.kty !== 'string') fail('jwk_bad_member', 'JWK "kty" is not a string', '/kty');
        const okp = jwk.kty === 'OKP';
        if (!okp && jwk.kty !== 'EC') fail('jwk_unsupported_kty', 'unsupported JWK "kty" (want OKP or EC)', '/kty');
        if (!has('crv')) fail('jwk_missing_member', 'a required JWK member is missing', '/crv');
        if (typeof jwk.crv !== 'string') fail('jwk_bad_member', 'JWK "crv" is not a string', '/crv');
        const si = SIG_ALGS.map((a) => SIGS[a]).find((t) => t.kty === jwk.kty && t.crv === jwk.crv);
        if (!si)
            fail('jwk_unsupported_crv', okp ? 'unsupported OKP curve (want Ed25519 or Ed448)' : 'unsupported EC curve (want P-256, P-384 or P-521)', '/crv');
        if (has('alg') && !(jwk.alg === si.jwkAlg || (okp && jwk.alg === si.crv)))
            fail('jwk_alg_mismatch', 'JWK "alg" does not match the key\'s curve', '/alg');
        if (has('use') && jwk.use !== 'sig') fail('jwk_bad_use', 'JWK "use" is not "sig"', '/use');
        if (has('kid') && !(typeof jwk.kid === 'string' && kidValid(jwk.kid)))
            fail('jwk_bad_kid', 'JWK "kid" must be 1 to 127 printable ASCII characters', '/kid');
        const member = (name: string, want: number, required: boolean): Uint8Array | null => {
            if (!has(name)) {
                if (!required) return null;
                fail('jwk_missing_member', 'a required JWK member is missing', '/' + name);
            }
            const v = jwk[name];
            if (typeof v !== 'string') fail('jwk_bad_coordinate', 'a JWK key parameter is not a string', '/' + name);
            if (v.includes('=')) fail('jwk_bad_coordinate', 'JWK base64url must not be padded', '/' + name);
            const b = b64urlDecode(v);
            if (!b) fail('jwk_bad_coordinate', 'a JWK key parameter is not base64url', '/' + name);
            if (b.length !== want) fail('jwk_bad_coordinate', 'a JWK key parameter has the wrong length', '/' + name);
            return b;
        };
        let pub: Uint8Array;
        if (si.coordLen) {
            const x = member('x', si.coordLen, true)!;
            const y = member('y', si.coordLen, true)!;
            pub = concatBytes(new Uint8Array([4]), x, y);
        } else pub = member('x', si.pubLen, true)!;
        const d = member('d', si.privLen, false);
        try {
            return await Key.fromRaw(si.name, pub, d, has('kid') ? (jwk.kid as string) : undefined);
        } catch (e) {
            if (e instanceof ProvaError) {
                if (e.code === 'key_mismatch') fail('jwk_key_mismatch', 'JWK "d" does not match "x"/"y"', '/d');
                if (e.code === 'key_invalid_private') fail('jwk_bad_coordinate', 'JWK "d" is not a valid private key', '/d');
                if (e.code === 'key_invalid_public') fail('jwk_bad_coordinate', 'JWK "x"/"y" is not a valid point of the curve', '/x');
            }
            throw e;
        }
    }

    /** A DER SubjectPublicKeyInfo (what the OpenExecution SDKs pass around, as hex or PEM). */
    static async fromSpki(der: Uint8Array, kid?: string): Promise<Key> {
        const h = hex(der);
        for (const a of SIG_ALGS) {
            const si = SIGS[a];
            if (h.startsWith(si.spkiPrefix) && der.length === si.spkiPrefix.length / 2 + si.pubLen)
                return Key.fromRaw(a, der.subarray(si.spkiPrefix.length / 2), null, kid);
        }
        // Other encodings of a supported key (a compressed point, explicit parameters): the backend reads them.
        const be = await backend();
        let jwk: Jwk | null = null;
        try {
            if (be.node) jwk = be.node.createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).export({ format: 'jwk' }) as Jwk;
        } catch {
            jwk = null;
        }
        if (!jwk) fail('spki_invalid', 'not a DER SubjectPublicKeyInfo of a supported key');
        delete jwk.d;
        if (kid !== undefined) jwk.kid = kid;
        return Key.fromJwk(jwk);
    }

    /** PEM "PUBLIC KEY" (SPKI), or hex of a DER SPKI, or 64 hex digits of a raw Ed25519 public key. */
    static async fromText(text: string, kid?: string): Promise<Key> {
        const t = text.trim();
        if (t.startsWith('{')) return Key.fromJwk(t);
        if (t.startsWith('-----BEGIN')) {
            const m = /^-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----$/.exec(t);
            if (!m) fail('pem_unsupported_label', 'only PEM "PUBLIC KEY" is read here');
            const body = m[1]!.replace(/\s+/g, '').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
            const der = b64urlDecode(body);
            if (!der) fail('pem_invalid', 'the PEM body is not base64');
            return Key.fromSpki(der, kid);
        }
        if (/^[0-9a-fA-F]{64}$/.test(t)) return Key.fromRaw('ed25519', unhex(t), null, kid);
        if (/^[0-9a-fA-F]+$/.test(t) && t.length % 2 === 0) return Key.fromSpki(unhex(t), kid);
        fail('key_unrecognized_format', 'not a JWK, a PEM public key or hex');
    }

    /** A public copy of this key (same kid). */
    async publicOnly(): Promise<Key> {
        const k = new Key(this.alg, this.publicKey, null, this.#kid);
        return k;
    }

    /** The JWK object, members in code point order as the C library writes them. */
    toJwk(includePrivate = false): Record<string, string> {
        const si = SIGS[this.alg];
        const o: Record<string, string> = { alg: si.jwkAlg, crv: si.crv };
        if (includePrivate && this.#priv) o['d'] = b64urlEncode(this.#priv);
        o['kid'] = this.#kid;
        o['kty'] = si.kty;
        o['use'] = 'sig';
        if (si.coordLen) {
            o['x'] = b64urlEncode(this.publicKey.subarray(1, 1 + si.coordLen));
            o['y'] = b64urlEncode(this.publicKey.subarray(1 + si.coordLen));
        } else o['x'] = b64urlEncode(this.publicKey);
        return o;
    }

    /** Signs msg: Ed25519 64 bytes, Ed448 114 bytes, ECDSA DER ECDSA-Sig-Value over the curve's digest. */
    async sign(msg: Uint8Array | string): Promise<Uint8Array> {
        if (!this.#priv) fail('key_not_private', 'a private key is needed to sign');
        const m = asBytes(msg);
        const si = SIGS[this.alg];
        const be = await backend();
        if (be.node) {
            const k = this.#nodeKeys(be.node);
            if (si.digest) return new Uint8Array(be.node.sign(si.digest, m, { key: k.priv!, dsaEncoding: 'der' }));
            return new Uint8Array(be.node.sign(null, m, k.priv!));
        }
        const k = await this.#webKeys(be.subtle!);
        if (si.kty === 'OKP') return new Uint8Array(await be.subtle!.sign({ name: 'Ed25519' }, k.priv!, buf(m)));
        const raw = new Uint8Array(
            await be.subtle!.sign({ name: 'ECDSA', hash: WEB_HASH[si.digest!]! }, k.priv!, buf(m)),
        );
        return ecdsaDerEncode(bytesToBig(raw.subarray(0, si.coordLen)), bytesToBig(raw.subarray(si.coordLen)));
    }

    /** True when sig is a valid signature of msg. digest overrides the ECDSA digest (OpenExecution's
     *  signature_algorithm decides it there); EdDSA ignores it. Never throws for a bad signature. */
    async verify(msg: Uint8Array | string, sig: Uint8Array, digest?: HashAlg): Promise<boolean> {
        const m = asBytes(msg);
        const si = SIGS[this.alg];
        const rs = this.#precheck(sig);
        if (rs === false) return false;
        const be = await backend();
        const dg = digest ?? si.digest;
        try {
            if (be.node) return this.#verifyNode(be.node, m, sig, dg);
            const k = await this.#webKeys(be.subtle!);
            if (si.kty === 'OKP') return await be.subtle!.verify({ name: 'Ed25519' }, k.pub, buf(sig), buf(m));
            const web = WEB_HASH[dg!];
            if (!web) return false;
            const p1363 = concatBytes(bigToBytes(rs!.r, si.coordLen), bigToBytes(rs!.s, si.coordLen));
            return await be.subtle!.verify({ name: 'ECDSA', hash: web }, k.pub, buf(p1363), buf(m));
        } catch {
            return false;
        }
    }

    /**
     * verify() now, synchronously, when node:crypto is the backend and loaded (as hashSync); null otherwise (then
     * call verify()). The same answer as verify().
     */
    verifySync(msg: Uint8Array | string, sig: Uint8Array, digest?: HashAlg): boolean | null {
        const node = nodeLoaded;
        if (node === null) return null;
        if (this.#precheck(sig) === false) return false;
        try {
            return this.#verifyNode(node, asBytes(msg), sig, digest ?? SIGS[this.alg].digest);
        } catch {
            return false;
        }
    }

    // The checks before the backend: false when sig cannot be valid; ECDSA's r and s, else null.
    #precheck(sig: Uint8Array): { r: bigint; s: bigint } | null | false {
        const si = SIGS[this.alg];
        if (this.alg === 'ed25519') {
            if (!ed25519SignaturePrecheck(sig)) return false;
        } else if (this.alg === 'ed448') {
            if (sig.length !== 114) return false;
        } else {
            if (sig.length < 8 || sig.length > si.sigMax) return false;
        }
        if (si.kty !== 'EC') return null;
        const rs = ecdsaDerDecode(sig);
        if (!rs || rs.r <= 0n || rs.s <= 0n || rs.r >= si.n! || rs.s >= si.n!) return false;
        return rs;
    }

    #verifyNode(node: typeof NodeCrypto, m: Uint8Array, sig: Uint8Array, dg: HashAlg | null | undefined): boolean {
        const k = this.#nodeKeys(node);
        if (SIGS[this.alg].kty === 'EC') return node.verify(dg!, m, { key: k.pub, dsaEncoding: 'der' }, sig);
        return node.verify(null, m, k.pub, sig);
    }

    #nodeKeys(node: typeof NodeCrypto): NodeKeys {
        if (!this.#node) {
            const jwk = this.toJwk(true) as NodeCrypto.JsonWebKey;
            delete jwk['kid'];
            delete jwk['use'];
            delete jwk['alg'];
            const priv = this.#priv ? node.createPrivateKey({ key: jwk, format: 'jwk' }) : null;
            delete jwk['d'];
            const pub = node.createPublicKey({ key: jwk, format: 'jwk' });
            this.#node = { pub, priv };
        }
        return this.#node;
    }

    async #webKeys(subtle: SubtleCrypto): Promise<WebKeys> {
        if (!this.#web) {
            const si = SIGS[this.alg];
            const algo = si.kty === 'OKP' ? { name: si.crv } : { name: 'ECDSA', namedCurve: si.crv };
            const jwk = this.toJwk(true) as JsonWebKey;
            delete (jwk as Record<string, unknown>)['kid'];
            delete jwk.use;
            delete jwk.alg;
            const priv = this.#priv ? await subtle.importKey('jwk', jwk, algo, false, ['sign']) : null;
            delete jwk.d;
            const pub = await subtle.importKey('jwk', jwk, algo, false, ['verify']);
            this.#web = { pub, priv };
        }
        return this.#web;
    }
}

// The public key of a private key: Ed25519/Ed448 from the seed, ECDSA d*G.
async function derivePublic(be: Backend, si: SigInfo, priv: Uint8Array): Promise<Uint8Array> {
    if (si.kty === 'EC') {
        const d = bytesToBig(priv);
        if (d === 0n || d >= si.n!) fail('key_invalid_private', 'EC private scalar out of range');
    }
    if (be.node) {
        if (si.kty === 'EC') {
            const curve = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' }[si.crv]!;
            const ecdh = be.node.createECDH(curve);
            ecdh.setPrivateKey(Buffer.from(priv));
            return new Uint8Array(ecdh.getPublicKey());
        }
        const der = concatBytes(unhex(si.name === 'ed25519' ? ED25519_PKCS8 : ED448_PKCS8), priv);
        const k = be.node.createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
        const jwk = k.export({ format: 'jwk' }) as { x: string };
        return b64urlDecode(jwk.x)!;
    }
    const subtle = be.subtle!;
    if (si.kty === 'OKP') {
        const der = concatBytes(unhex(ED25519_PKCS8), priv);
        const k = await subtle.importKey('pkcs8', buf(der), { name: 'Ed25519' }, true, ['sign']);
        const jwk = await subtle.exportKey('jwk', k);
        return b64urlDecode(jwk.x!)!;
    }
    // WebCrypto cannot import an EC private key without its public point: d*G here (P-256/384/521 arithmetic).
    return ecBaseMul(si, bytesToBig(priv));
}

// Affine arithmetic on a short Weierstrass curve with a = -3 (only for deriving a public key in browsers).
const EC_G: Record<string, [bigint, bigint]> = {
    'P-256': [
        0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
        0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    ],
    'P-384': [
        0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
        0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    ],
    'P-521': [
        0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
        0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
    ],
};

function ecBaseMul(si: SigInfo, d: bigint): Uint8Array {
    const p = si.p!;
    type Pt = [bigint, bigint] | null;
    const add = (a: Pt, b: Pt): Pt => {
        if (!a) return b;
        if (!b) return a;
        let l: bigint;
        if (a[0] === b[0]) {
            if (mod(a[1] + b[1], p) === 0n) return null;
            l = mod((3n * a[0] * a[0] - 3n) * inv(2n * a[1], p), p);
        } else l = mod((b[1] - a[1]) * inv(mod(b[0] - a[0], p), p), p);
        const x = mod(l * l - a[0] - b[0], p);
        return [x, mod(l * (a[0] - x) - a[1], p)];
    };
    let R: Pt = null;
    let Q: Pt = EC_G[si.crv]!;
    while (d > 0n) {
        if (d & 1n) R = add(R, Q);
        Q = add(Q, Q);
        d >>= 1n;
    }
    return concatBytes(new Uint8Array([4]), bigToBytes(R![0], si.coordLen), bigToBytes(R![1], si.coordLen));
}

// ---- key sets ----------------------------------------------------------------------------------------------

export class KeySet {
    #entries: { key: Key; source: string }[] = [];

    static async fromJwks(jwks: string | object, source = 'jwks'): Promise<KeySet> {
        const ks = new KeySet();
        await ks.addJwks(jwks, source);
        return ks;
    }

    /** Adds every key of {"keys":[...]}; unsupported types (RSA, X25519, other curves) are skipped, malformed keys
     *  are an error. Returns the number of keys added. */
    async addJwks(jwksIn: string | object, source = 'jwks'): Promise<number> {
        let jwks: unknown = jwksIn;
        if (typeof jwksIn === 'string') {
            try {
                jwks = JSON.parse(jwksIn);
            } catch {
                fail('json_syntax', 'a JWKS must be JSON');
            }
        }
        const root = jwks as Record<string, unknown>;
        const keys = typeof root === 'object' && root !== null ? root['keys'] : undefined;
        if (!Array.isArray(keys)) {
            const single = typeof root === 'object' && root !== null && 'kty' in root;
            if (single)
                fail('jwks_single_key', 'd' in root ? 'a single JWK holding a private key, not a JWKS {"keys":[...]} of public keys' : 'a single JWK, not a JWKS {"keys":[...]}');
            fail('jwks_invalid', 'a JWKS must be an object with a "keys" array');
        }
        let added = 0;
        for (const j of keys) {
            let k: Key;
            try {
                k = await Key.fromJwk(j as Jwk);
            } catch (e) {
                if (e instanceof ProvaError && /unsupported/.test(e.code)) continue;
                throw e;
            }
            this.add(k, source);
            added++;
        }
        return added;
    }

    add(key: Key, source = ''): void {
        this.#entries.push({ key, source });
    }

    /** The key with this kid (the latest added wins), or null. */
    find(kid: string): Key | null {
        return this.findWithSource(kid)?.key ?? null;
    }

    findWithSource(kid: string): { key: Key; source: string } | null {
        for (let i = this.#entries.length - 1; i >= 0; i--) if (this.#entries[i]!.key.kid === kid) return this.#entries[i]!;
        return null;
    }

    /** The first key with the same public key (any kid), or null. */
    findPublic(key: Key): { key: Key; source: string } | null {
        for (const e of this.#entries)
            if (e.key.alg === key.alg && ctEqual(e.key.publicKey, key.publicKey)) return e;
        return null;
    }

    get size(): number {
        return this.#entries.length;
    }

    keys(): Key[] {
        return this.#entries.map((e) => e.key);
    }

    entries(): { key: Key; source: string }[] {
        return this.#entries.slice();
    }

    /** "trusted: kid1, kid2 and N more" / "no keys are trusted" (the C library's prova__keyset_describe). */
    describe(): string {
        const n = this.#entries.length;
        if (n === 0) return 'no keys are trusted';
        let s = 'trusted:';
        let listed = 0;
        let i = 0;
        const seen = new Set<string>();
        for (; i < n && listed < 8; i++) {
            const kid = this.#entries[i]!.key.kid;
            if (seen.has(kid)) continue;
            seen.add(kid);
            s += `${listed ? ',' : ''} ${kid}`;
            listed++;
        }
        if (i < n) s += ` and ${n - i} more`;
        return s;
    }
}

export { hex as _hex, unhex as _unhex, b64urlEncode as _b64urlEncode, b64urlDecode as _b64urlDecode };
