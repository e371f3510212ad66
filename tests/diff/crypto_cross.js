#!/usr/bin/env node
// Differential test: prova's crypto against Node's crypto module (OpenSSL underneath, but its own JWK, PEM and
// signature plumbing — the stack the OpenExecution JS SDK uses).
//
// For every signature algorithm (ed25519, ed448, ecdsa-p256/p384/p521), in both directions:
//   prova signs -> Node verifies (key exchanged as PEM SPKI, PKCS#8 and JWK, which Node imports);
//   Node signs  -> prova verifies (key given to prova as Node's PEM SPKI, hex DER SPKI, public and private JWK,
//                  PKCS#8), and prova signs with Node's keys;
// tampered signatures are rejected on both sides. Hashes (all six) and HMAC-SHA256 are compared on random
// inputs. The C side is tests/diff/crypto_driver (--driver PATH, $PROVA_CRYPTO_DRIVER, or the usual build dirs).
//
// Prints one line per failure and "N passed, M failed" last; exits non-zero on any failure.
// Run: node tests/diff/crypto_cross.js [--driver PATH] [--rounds N]
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const ALGS = ['ed25519', 'ed448', 'ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521'];
const EC = {
  'ecdsa-p256': { curve: 'P-256', hash: 'sha256', n: 32 },
  'ecdsa-p384': { curve: 'P-384', hash: 'sha384', n: 48 },
  'ecdsa-p521': { curve: 'P-521', hash: 'sha512', n: 66 },
};
const HASHES = ['sha256', 'sha384', 'sha512', 'sha3-256', 'sha3-384', 'sha3-512'];

let passed = 0;
let failed = 0;
function check(cond, what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    console.log('FAIL ' + what);
  }
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function findDriver() {
  const explicit = arg('--driver') || process.env.PROVA_CRYPTO_DRIVER;
  const cands = explicit ? [explicit] : []; // asked for: that one or nothing
  for (const d of explicit ? [] : ['build', 'builddir', 'build-asan', '_build']) {
    cands.push(path.join(ROOT, d, 'tests', 'crypto_driver'), path.join(ROOT, d, 'tests', 'diff', 'crypto_driver'));
  }
  for (const c of cands) {
    try {
      if (c && fs.statSync(c).isFile()) {
        fs.accessSync(c, fs.constants.X_OK);
        return c;
      }
    } catch (e) { /* try the next one */ }
  }
  return null;
}

// A small seeded generator (mulberry32): reproducible test data from --seed.
function rngFrom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    below: (n) => Math.floor(next() * n),
    bytes: (n) => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
}

class Driver {
  constructor(p) { this.path = p; }
  run(args, input) {
    const r = spawnSync(this.path, args, { input: input || Buffer.alloc(0), maxBuffer: 64 << 20, timeout: 60000 });
    if (r.error) throw r.error;
    return r;
  }
  out(args, input) {
    const r = this.run(args, input);
    if (r.status !== 0) throw new Error(`crypto_driver ${args.slice(0, 2).join(' ')}: exit ${r.status}: ${r.stderr}`);
    return r.stdout.toString();
  }
  sign(kf, msg) { return Buffer.from(this.out(['sign', kf, msg.toString('hex')]).trim(), 'hex'); }
  verify(kf, msg, sig) {
    const r = this.run(['verify', kf, msg.toString('hex'), sig.toString('hex')]);
    if (r.status !== 0 && r.status !== 1) throw new Error(`crypto_driver verify: exit ${r.status}: ${r.stderr}`);
    return r.status === 0;
  }
}

const isEd = (alg) => alg === 'ed25519' || alg === 'ed448';
const digestOf = (alg) => (isEd(alg) ? null : EC[alg].hash);

function nodeGenerate(alg) {
  if (isEd(alg)) return crypto.generateKeyPairSync(alg);
  return crypto.generateKeyPairSync('ec', { namedCurve: EC[alg].curve });
}

function nodeVerify(alg, key, msg, sig) {
  try {
    return crypto.verify(digestOf(alg), msg, key, sig);
  } catch (e) {
    return false;
  }
}

// The raw public key prova prints (Ed: 32/57 bytes; EC: 04||X||Y), from a Node KeyObject via its JWK.
function rawPublic(alg, key) {
  const j = key.export({ format: 'jwk' });
  const x = Buffer.from(j.x, 'base64url');
  if (isEd(alg)) return x;
  return Buffer.concat([Buffer.from([4]), x, Buffer.from(j.y, 'base64url')]);
}

function messages(rng, rounds) {
  const m = [Buffer.alloc(0), Buffer.from([0]), Buffer.from('abc'), Buffer.alloc(1024, 0x5a)];
  for (let i = 0; i < rounds; i++) m.push(rng.bytes(rng.below(2000)));
  return m;
}

function tamper(sig, rng) {
  const b = Buffer.from(sig);
  b[rng.below(b.length)] ^= 1 << rng.below(8);
  return b;
}

function provaToNode(drv, tmp, alg, rng, rounds) {
  const kf = path.join(tmp, `prova-${alg}.jwk`);
  const kid = drv.out(['keygen', alg, kf]).trim();
  check(kid.startsWith(alg + '-') && kid.length === alg.length + 17, `${alg}: kid format ${kid}`);
  check((fs.statSync(kf).mode & 0o777) === 0o600, `${alg}: key file mode 0600`);

  const kPem = crypto.createPublicKey(drv.out(['export', kf, 'pem']));
  const spkiDer = Buffer.from(drv.out(['export', kf, 'spki-hex']).trim(), 'hex');
  const kDer = crypto.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  check(kDer.export({ format: 'der', type: 'spki' }).equals(spkiDer), `${alg}: SPKI DER re-encodes identically`);
  const jwkPub = JSON.parse(drv.out(['export', kf, 'jwk']));
  check(!('d' in jwkPub) && jwkPub.kid === kid && jwkPub.use === 'sig', `${alg}: public JWK members`);
  const keys = Object.keys(jwkPub);
  check(keys.join(',') === [...keys].sort().join(','), `${alg}: JWK members in code point order`);
  const kJwk = crypto.createPublicKey({ key: jwkPub, format: 'jwk' });
  const jwkPriv = JSON.parse(drv.out(['export', kf, 'jwk-private']));
  const kJwkPriv = crypto.createPrivateKey({ key: jwkPriv, format: 'jwk' });
  const kP8 = crypto.createPrivateKey(drv.out(['export', kf, 'pem-private']));
  // Node re-exports prova's private key in the same JWK members (d, x, y)
  const back = kJwkPriv.export({ format: 'jwk' });
  check(back.d === jwkPriv.d && back.x === jwkPriv.x && back.y === jwkPriv.y, `${alg}: Node round-trips prova's private JWK`);
  const raw = Buffer.from(drv.out(['export', kf, 'raw-hex']).trim(), 'hex');
  for (const [name, k] of [['pem', kPem], ['der', kDer], ['jwk', kJwk], ['jwk-private', kJwkPriv], ['pkcs8', kP8]]) {
    const pub = k.type === 'private' ? crypto.createPublicKey(k) : k;
    check(rawPublic(alg, pub).equals(raw), `${alg}: public key via ${name} matches prova's`);
  }
  const h = crypto.createHash('sha256').update(alg === 'ed25519' ? raw : spkiDer).digest('hex').slice(0, 16);
  check(kid === `${alg}-${h}`, `${alg}: default kid`);

  for (const msg of messages(rng, rounds)) {
    const sig = drv.sign(kf, msg);
    check(nodeVerify(alg, kPem, msg, sig), `${alg}: prova sig verifies in Node (PEM key, ${msg.length} bytes)`);
    check(nodeVerify(alg, kJwk, msg, sig), `${alg}: prova sig verifies in Node (JWK key)`);
    check(!nodeVerify(alg, kPem, msg, tamper(sig, rng)), `${alg}: tampered prova sig rejected by Node`);
    check(!nodeVerify(alg, kJwk, Buffer.concat([msg, Buffer.from('x')]), sig), `${alg}: prova sig over another message rejected`);
    if (isEd(alg)) check(crypto.sign(null, msg, kP8).equals(sig), `${alg}: prova sig == Node sig (deterministic)`);
    const nsig = crypto.sign(digestOf(alg), msg, kJwkPriv);
    check(drv.verify(kf, msg, nsig), `${alg}: Node sig (prova's JWK key) verifies in prova`);
  }
}

function nodeToProva(drv, tmp, alg, rng, rounds) {
  const { publicKey, privateKey } = nodeGenerate(alg);
  const files = {};
  const write = (name, data) => {
    const p = path.join(tmp, `node-${alg}.${name}`);
    fs.writeFileSync(p, data);
    files[name] = p;
  };
  write('spki.pem', publicKey.export({ format: 'pem', type: 'spki' }));
  write('spki.hex', publicKey.export({ format: 'der', type: 'spki' }).toString('hex') + '\n');
  write('pub.jwk', JSON.stringify(publicKey.export({ format: 'jwk' })));
  write('priv.jwk', JSON.stringify(privateKey.export({ format: 'jwk' })));
  write('pkcs8.pem', privateKey.export({ format: 'pem', type: 'pkcs8' }));
  if (!isEd(alg)) write('sec1.pem', privateKey.export({ format: 'pem', type: 'sec1' }));
  if (alg === 'ed25519') write('raw.hex', rawPublic(alg, publicKey).toString('hex'));

  const raw = rawPublic(alg, publicKey);
  for (const [name, p] of Object.entries(files)) {
    check(Buffer.from(drv.out(['export', p, 'raw-hex']).trim(), 'hex').equals(raw), `${alg}: prova reads Node's ${name}`);
    check(drv.out(['export', p, 'alg']).trim() === alg, `${alg}: prova detects the algorithm of ${name}`);
  }
  for (const msg of messages(rng, rounds)) {
    const sig = crypto.sign(digestOf(alg), msg, privateKey);
    for (const [name, p] of Object.entries(files)) {
      check(drv.verify(p, msg, sig), `${alg}: Node sig verifies in prova (${name}, ${msg.length} bytes)`);
    }
    check(!drv.verify(files['spki.pem'], msg, tamper(sig, rng)), `${alg}: tampered Node sig rejected by prova`);
    check(!drv.verify(files['pub.jwk'], Buffer.concat([msg, Buffer.from('x')]), sig), `${alg}: Node sig over another message rejected by prova`);
    for (const name of ['priv.jwk', 'pkcs8.pem']) {
      const s = drv.sign(files[name], msg);
      check(nodeVerify(alg, publicKey, msg, s), `${alg}: prova sig with Node's ${name} key verifies in Node`);
    }
  }
}

function hashesAndHmac(drv, rng, rounds) {
  for (const alg of HASHES) {
    const sizes = [0, 1, 55, 56, 63, 64, 127, 128, 135, 136, 143, 144];
    for (let i = 0; i < rounds; i++) sizes.push(rng.below(5000));
    for (const n of sizes) {
      const data = rng.bytes(n);
      check(drv.out(['hash', alg, data.toString('hex')]).trim() === crypto.createHash(alg).update(data).digest('hex'),
        `${alg} of ${n} random bytes`);
    }
    const big = crypto.randomBytes(3 * 1024 * 1024 + 7);
    check(drv.out(['hash', alg, '-'], big).trim() === crypto.createHash(alg).update(big).digest('hex'), `${alg} of 3 MiB`);
  }
  const klens = [0, 1, 31, 32, 63, 64, 65, 200];
  for (let i = 0; i < rounds; i++) klens.push(rng.below(300));
  for (const kl of klens) {
    const key = rng.bytes(kl);
    const msg = rng.bytes(rng.below(3000));
    check(drv.out(['hmac', key.toString('hex'), msg.toString('hex')]).trim() ===
      crypto.createHmac('sha256', key).update(msg).digest('hex'), `hmac-sha256 key ${kl} bytes, message ${msg.length} bytes`);
  }
}

function main() {
  const drvPath = findDriver();
  if (!drvPath) {
    console.log('crypto_driver not found (use --driver or PROVA_CRYPTO_DRIVER)');
    console.log('0 passed, 1 failed');
    return 1;
  }
  const rounds = Number(arg('--rounds') || 6);
  const seed = arg('--seed') !== undefined ? Number(arg('--seed')) : crypto.randomBytes(4).readUInt32BE(0);
  console.log(`seed ${seed}, driver ${drvPath}`);
  const rng = rngFrom(seed);
  const drv = new Driver(drvPath);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prova_cross_js_'));
  try {
    for (const alg of ALGS) {
      for (const fn of [provaToNode, nodeToProva]) {
        try {
          fn(drv, tmp, alg, rng, rounds);
        } catch (e) { // one crashed step is one failure, not the end of the run
          check(false, `${fn.name} ${alg}: ${e.message}`);
        }
      }
    }
    try {
      hashesAndHmac(drv, rng, rounds);
    } catch (e) {
      check(false, `hashes: ${e.message}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

process.exitCode = main();
