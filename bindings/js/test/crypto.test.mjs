// crypto.ts: hashes vs node:crypto, keys (kid, JWK round trip, checks), Wycheproof (the C test's expectations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as nc from 'node:crypto';
import { Key, KeySet, sha256, sha384, sha512, hash, hmacSha256, ctEqual, useWebCrypto } from '../dist/crypto.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const hx = (b) => Buffer.from(b).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));

for (const backendName of ['node', 'webcrypto']) {
  const setBackend = () => useWebCrypto(backendName === 'webcrypto');

  test(`${backendName}: hashes and HMAC equal node:crypto`, async () => {
    setBackend();
    for (const n of [0, 1, 55, 56, 64, 1000]) {
      const m = nc.randomBytes(n);
      assert.equal(hx(await sha256(m)), nc.createHash('sha256').update(m).digest('hex'));
      assert.equal(hx(await sha384(m)), nc.createHash('sha384').update(m).digest('hex'));
      assert.equal(hx(await sha512(m)), nc.createHash('sha512').update(m).digest('hex'));
      const k = nc.randomBytes(n % 70);
      assert.equal(hx(await hmacSha256(k, m)), nc.createHmac('sha256', k).update(m).digest('hex'));
    }
    assert.equal(hx(await sha256('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    useWebCrypto(false);
  });

  test(`${backendName}: Ed25519 kid, RFC 8032 test 1, JWK round trip`, async () => {
    setBackend();
    const zero = await Key.fromEd25519Seed(new Uint8Array(32));
    assert.equal(zero.kid, 'ed25519-139e3940e64b5491');
    const k = await Key.fromEd25519Seed(unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'));
    assert.equal(hx(k.publicKey), 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig = await k.sign(new Uint8Array(0));
    assert.equal(hx(sig), 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b');
    assert.ok(await k.verify(new Uint8Array(0), sig));
    assert.ok(!(await k.verify(new Uint8Array([1]), sig)));
    const j = k.toJwk(true);
    assert.deepEqual(Object.keys(j), ['alg', 'crv', 'd', 'kid', 'kty', 'use', 'x']);
    const k2 = await Key.fromJwk(j);
    assert.equal(k2.kid, k.kid);
    assert.ok(k2.isPrivate);
    assert.ok(!('d' in k.toJwk(false)));
    useWebCrypto(false);
  });

  for (const alg of ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521', 'ed448']) {
    test(`${backendName}: ${alg} generate, sign, verify, kid = SHA-256 of the DER SPKI`, async (t) => {
      if (alg === 'ed448' && backendName === 'webcrypto') return t.skip('no Ed448 in WebCrypto');
      setBackend();
      const k = await Key.generate(alg);
      const pubJwk = k.toJwk(false);
      const spki = nc.createPublicKey({ key: pubJwk, format: 'jwk' }).export({ format: 'der', type: 'spki' });
      assert.equal(hx(k.spki()), hx(spki));
      assert.equal(k.kid, `${alg}-` + nc.createHash('sha256').update(spki).digest('hex').slice(0, 16));
      const sig = await k.sign('hello');
      assert.ok(await k.verify('hello', sig));
      assert.ok(!(await k.verify('hellp', sig)));
      // the other backend's key verifies it too; node:crypto itself as well
      const pub = await Key.fromJwk(pubJwk);
      assert.ok(await pub.verify('hello', sig));
      const digest = { 'ecdsa-p256': 'sha256', 'ecdsa-p384': 'sha384', 'ecdsa-p521': 'sha512', ed448: null }[alg];
      assert.ok(nc.verify(digest, Buffer.from('hello'), { key: nc.createPublicKey({ key: pubJwk, format: 'jwk' }), dsaEncoding: 'der' }, sig));
      // private JWK round trip: the derived public key equals the original
      const noX = k.toJwk(true); delete noX.x; const back = await Key.fromJwk(noX).catch((e) => e);
      assert.equal(back.code, "jwk_missing_member");
      const full = await Key.fromJwk(k.toJwk(true));
      assert.equal(hx(full.publicKey), hx(k.publicKey));
      useWebCrypto(false);
    });
  }

  test(`${backendName}: Ed25519 key checks (small order, non-canonical, off curve)`, async () => {
    setBackend();
    const bad = [
      '0000000000000000000000000000000000000000000000000000000000000000', // order 4
      '0100000000000000000000000000000000000000000000000000000000000000', // identity
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // non-canonical
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
    ];
    for (const b of bad) {
      const e = await Key.fromEd25519Public(unhex(b)).catch((x) => x);
      assert.equal(e.code, 'key_invalid_public', b);
    }
    useWebCrypto(false);
  });

  test(`${backendName}: JWK reason codes`, async () => {
    setBackend();
    const k = await Key.fromEd25519Seed(new Uint8Array(32).fill(7));
    const j = k.toJwk(false);
    const cases = [
      [[], 'jwk_not_object'], [{ keys: [] }, 'key_is_jwks'], [{ crv: 'Ed25519' }, 'jwk_missing_member'],
      [{ ...j, kty: 'RSA' }, 'jwk_unsupported_kty'], [{ ...j, crv: 'X25519' }, 'jwk_unsupported_crv'],
      [{ ...j, alg: 'ES256' }, 'jwk_alg_mismatch'], [{ ...j, use: 'enc' }, 'jwk_bad_use'], [{ ...j, kid: '' }, 'jwk_bad_kid'],
      [{ ...j, x: j.x + '=' }, 'jwk_bad_coordinate'], [{ ...j, x: j.x.slice(1) }, 'jwk_bad_coordinate'],
      [{ ...j, d: k.toJwk(true).d.replace(/^./, 'A') === k.toJwk(true).d ? 'BBBB' : k.toJwk(true).d.replace(/^./, 'A') }, 'jwk_key_mismatch'],
    ];
    for (const [jwk, code] of cases) {
      const e = await Key.fromJwk(jwk).catch((x) => x);
      assert.equal(e.code, code, JSON.stringify(jwk));
    }
    const ks = await KeySet.fromJwks({ keys: [j, { kty: 'RSA', n: 'x', e: 'AQAB' }] });
    assert.equal(ks.size, 1);
    assert.equal(ks.find(k.kid).kid, k.kid);
    assert.equal(ks.find('nope'), null);
    assert.equal((await KeySet.fromJwks(j).catch((x) => x)).code, 'jwks_single_key');
    assert.ok(ctEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])) && !ctEqual(new Uint8Array([1]), new Uint8Array([2])));
    useWebCrypto(false);
  });

  // Wycheproof, as tests/unit/test_wycheproof.c runs it: valid must verify, invalid must not (no acceptable cases).
  const files = [
    ['ed25519_test.json', 'sig'], ['ed448_test.json', 'sig'],
    ['ecdsa_secp256r1_sha256_test.json', 'sig'], ['ecdsa_secp256r1_sha256_p1363_test.json', 'p1363'],
    ['ecdsa_secp384r1_sha384_test.json', 'sig'], ['ecdsa_secp521r1_sha512_test.json', 'sig'],
  ];
  for (const [file, kind] of files) {
    const path = `${root}tests/data/wycheproof/${file}`;
    test(`${backendName}: wycheproof ${file}`, async (t) => {
      if (!existsSync(path)) return t.skip('no vectors');
      if (file.startsWith('ed448') && backendName === 'webcrypto') return t.skip('no Ed448 in WebCrypto');
      setBackend();
      const doc = JSON.parse(readFileSync(path, 'utf8'));
      let ok = 0, valid = 0, invalid = 0;
      const wrong = [];
      for (const g of doc.testGroups) {
        const key = await Key.fromSpki(unhex(g.publicKeyDer));
        for (const tc of g.tests) {
          let sig = unhex(tc.sig);
          if (kind === 'p1363') {
            if (sig.length !== 64) { sig = null; }
            else {
              const der = (b) => { let i = 0; while (i < b.length - 1 && b[i] === 0) i++; let v = b.subarray(i); if (v[0] & 0x80) v = Buffer.concat([Buffer.from([0]), v]); return Buffer.concat([Buffer.from([2, v.length]), v]); };
              const body = Buffer.concat([der(sig.subarray(0, 32)), der(sig.subarray(32))]);
              sig = new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
            }
          }
          const got = sig !== null && (await key.verify(unhex(tc.msg), sig));
          assert.notEqual(tc.result, 'acceptable');
          if (got === (tc.result === 'valid')) ok++; else wrong.push(`${tc.tcId} (${tc.result}; ${tc.flags})`);
          if (tc.result === 'valid') valid++; else invalid++;
        }
      }
      t.diagnostic(`${file}: ${ok}/${valid + invalid} agree (valid ${valid}, invalid ${invalid})`);
      assert.deepEqual(wrong, []);
      useWebCrypto(false);
    });
  }
}

// libsodium's rule that OpenSSL lacks: a small-order R. With R = the identity and S = h·a mod L, the cofactorless
// equation holds ([S]B − [h]A = O encodes as R), so OpenSSL accepts; libsodium (and so prova) refuses.
test('Ed25519: a signature with a small-order R verifies in OpenSSL but not here (libsodium rule)', async () => {
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  const le = (b) => BigInt('0x' + Buffer.from(b).reverse().toString('hex'));
  const tole = (x) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex').reverse();
  const seed = new Uint8Array(32).fill(3);
  const key = await Key.fromEd25519Seed(seed);
  const hs = nc.createHash('sha512').update(seed).digest();
  hs[0] &= 248; hs[31] &= 127; hs[31] |= 64;
  const a = le(hs.subarray(0, 32));
  const R = Buffer.alloc(32); R[0] = 1; // identity
  const msg = Buffer.from('small order R');
  const h = le(nc.createHash('sha512').update(Buffer.concat([R, key.publicKey, msg])).digest()) % L;
  const sig = new Uint8Array(Buffer.concat([R, tole((h * a) % L)]));
  const pub = nc.createPublicKey({ key: key.toJwk(false), format: 'jwk' });
  assert.equal(nc.verify(null, msg, pub, sig), true, 'OpenSSL accepts it');
  assert.equal(await key.verify(msg, sig), false);
  useWebCrypto(true);
  assert.equal(await key.verify(msg, sig), false);
  useWebCrypto(false);
  // S >= L (S + L, same residue) is refused too
  const sigOk = await key.sign(msg);
  const S = le(sigOk.subarray(32)) + L;
  assert.equal(await key.verify(msg, new Uint8Array(Buffer.concat([Buffer.from(sigOk.subarray(0, 32)), tole(S)]))), false);
});

// The small-order table (libsodium's) against the point arithmetic: every table entry, with and without the sign
// bit, is of small order by arithmetic; the other torsion-free encodings are not; and random encodings agree.
test('Ed25519: the small-order table equals decode-and-multiply-by-8', async () => {
  const { ed25519HasSmallOrder, ed25519HasSmallOrderSlow } = await import('../dist/crypto.js');
  const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
  const entries = ['0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'];
  for (const h of entries) {
    for (const signBit of [0, 0x80]) {
      const e = hex(h);
      e[31] |= signBit;
      assert.equal(ed25519HasSmallOrder(e), true, h);
      assert.equal(ed25519HasSmallOrderSlow(e), true, h);
    }
  }
  const base = hex('5866666666666666666666666666666666666666666666666666666666666666'); // the base point
  assert.equal(ed25519HasSmallOrder(base), false);
  assert.equal(ed25519HasSmallOrderSlow(base), false);
  for (let i = 0; i < 2000; i++) {
    const r = new Uint8Array(crypto.getRandomValues(new Uint8Array(32)));
    assert.equal(ed25519HasSmallOrder(r), ed25519HasSmallOrderSlow(r), Buffer.from(r).toString('hex'));
  }
});

test('Ed25519: S < L by bytes, at the boundary', async () => {
  const { Key } = await import('../dist/crypto.js');
  const key = await Key.fromEd25519Seed(new Uint8Array(32).fill(7));
  const msg = new TextEncoder().encode('boundary');
  const sig = await key.sign(msg);
  assert.equal(await key.verify(msg, sig), true);
  const L = Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex');
  for (const s of [L, Buffer.from(L.map((b, i) => (i === 0 ? b + 1 : b)))]) { // S = L, S = L + 1
    const forged = new Uint8Array(sig);
    forged.set(s, 32);
    assert.equal(await key.verify(msg, forged), false);
  }
});
