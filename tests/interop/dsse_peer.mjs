// An independent DSSE verifier for prova's envelopes: PAE from @sigstore/core (the Sigstore JS libraries' own
// preAuthEncoding), Ed25519/ECDSA verification with node:crypto from a JWKS, HMAC-SHA256 recomputed with
// node:crypto. Nothing here comes from prova.
//
//   node dsse_peer.mjs vector
//       prints the PAE of ("application/vnd.in-toto+json", {"a":1}) and its HMAC-SHA256 (base64) under the
//       reference's default key, both computed by this peer (reference/ophamin.md §9 gives the expected values)
//   node dsse_peer.mjs verify ENVELOPE [--jwks JWKS] [--hmac-key-b64 B64]
//       verifies every signature (by keyid in the JWKS, else as HMAC under the key); prints one JSON line
//       {"payloadType":..,"payload_sha256":..,"signatures":[{"keyid":..,"method":"jwk"|"hmac"|"none","ok":bool}],
//        "statement":<the payload parsed>}; exit 0 when every signature verified, 1 otherwise, 2 on bad input.
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';

const require = createRequire(import.meta.url);
const { dsse } = require('@sigstore/core');

const DEFAULT_KEY = Buffer.from('ophamin-scenario-proof-key');
const INTOTO = 'application/vnd.in-toto+json';

function strictB64(s, what) {
  if (typeof s !== 'string' || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) {
    throw new Error(`${what} is not standard base64 with padding`);
  }
  const b = Buffer.from(s, 'base64');
  if (b.toString('base64') !== s) throw new Error(`${what} is not canonical base64`);
  return b;
}

function main(argv) {
  if (argv[0] === 'vector') {
    const pae = dsse.preAuthEncoding(INTOTO, Buffer.from('{"a":1}'));
    const mac = crypto.createHmac('sha256', DEFAULT_KEY).update(pae).digest('base64');
    process.stdout.write(JSON.stringify({ pae: pae.toString('latin1'), hmac: mac }) + '\n');
    return 0;
  }
  if (argv[0] !== 'verify' || !argv[1]) {
    process.stderr.write('usage: dsse_peer.mjs vector | verify ENVELOPE [--jwks F] [--hmac-key-b64 B64]\n');
    return 2;
  }
  let jwks = { keys: [] };
  let hmacKey = null;
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--jwks') jwks = JSON.parse(fs.readFileSync(argv[++i], 'utf8'));
    else if (argv[i] === '--hmac-key-b64') hmacKey = Buffer.from(argv[++i], 'base64');
    else throw new Error(`unknown option ${argv[i]}`);
  }
  const env = JSON.parse(fs.readFileSync(argv[1], 'utf8'));
  // The member order of the reference's envelope: payloadType, payload, signatures; each {keyid, sig}.
  if (JSON.stringify(Object.keys(env)) !== '["payloadType","payload","signatures"]') {
    throw new Error(`envelope members ${JSON.stringify(Object.keys(env))}`);
  }
  const payload = strictB64(env.payload, 'payload');
  const pae = dsse.preAuthEncoding(env.payloadType, payload);
  const sigs = env.signatures.map((s, i) => {
    if (JSON.stringify(Object.keys(s)) !== '["keyid","sig"]') throw new Error(`signature ${i} members`);
    const sig = strictB64(s.sig, `signatures[${i}].sig`);
    const jwk = jwks.keys.find((k) => k.kid === s.keyid);
    if (jwk) {
      const pub = crypto.createPublicKey({ key: jwk, format: 'jwk' });
      const alg = pub.asymmetricKeyType === 'ec' ? { p256: 'sha256', p384: 'sha384', p521: 'sha512' } : null;
      const digest = alg ? { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' }[jwk.crv] : null;
      return { keyid: s.keyid, method: 'jwk', alg: pub.asymmetricKeyType, ok: crypto.verify(digest, pae, pub, sig) };
    }
    if (hmacKey) {
      const mac = crypto.createHmac('sha256', hmacKey).update(pae).digest();
      return { keyid: s.keyid, method: 'hmac', ok: mac.length === sig.length && crypto.timingSafeEqual(mac, sig) };
    }
    return { keyid: s.keyid, method: 'none', ok: false };
  });
  let statement = null;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    statement = null;
  }
  const out = {
    payloadType: env.payloadType,
    payload_sha256: crypto.createHash('sha256').update(payload).digest('hex'),
    signatures: sigs,
    statement,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  return sigs.length > 0 && sigs.every((s) => s.ok) ? 0 : 1;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`dsse_peer: ${e.message}\n`);
  process.exitCode = 2;
}
