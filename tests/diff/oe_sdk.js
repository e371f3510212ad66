#!/usr/bin/env node
// An independent JavaScript model of the OpenExecution JS SDK (@openexecution/verify 1.0.0) verification
// algorithms, written from shared/reference/openexecution.md (§2 hashing, §3 signing, §4 JCS, §5 verification,
// §5.4 attestations) with Node's built-in crypto only. It shares no code with prova; the cross-check scripts
// (tests/diff/oe_cross.js) use it as the oracle for `prova verify` on OpenExecution bundles, including the exact
// JS result object and error strings.
//
// Run as a script it checks itself against every test vector of the reference's §6 and prints
// "oe_sdk.js: N vectors ok" (exit 1 and one line per mismatch otherwise).
// Run: node tests/diff/oe_sdk.js
'use strict';

const crypto = require('crypto');

// ---- §4 canonicalize: exactly the SDK function --------------------------------------------------------------------

function canonicalize(obj) {
  if (obj === null || obj === undefined) return 'null';
  if (typeof obj !== 'object') return JSON.stringify(obj);
  if (Array.isArray(obj)) return '[' + obj.map(canonicalize).join(',') + ']';
  return '{' + Object.keys(obj).sort().filter((k) => obj[k] !== undefined)
    .map((k) => JSON.stringify(k) + ':' + canonicalize(obj[k])).join(',') + '}';
}

// ---- §2 hashing ----------------------------------------------------------------------------------------------------

const HASH_MAP = {
  sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  'sha3-256': 'sha3-256', 'sha3-384': 'sha3-384', 'sha3-512': 'sha3-512',
};
const HASH_HEX_LEN = {
  sha256: 64, sha384: 96, sha512: 128, 'sha3-256': 64, 'sha3-384': 96, 'sha3-512': 128,
};
const HASH_ALGORITHMS = Object.keys(HASH_MAP);

// hash(alg, data): lowercase hex of H(UTF-8(data)) (data may also be a Buffer).
function hash(alg, data) {
  const a = alg === undefined ? 'sha256' : alg;
  if (!Object.prototype.hasOwnProperty.call(HASH_MAP, a)) throw new Error(`Unsupported hash algorithm: ${a}`);
  return crypto.createHash(HASH_MAP[a]).update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).digest('hex');
}

// §2.2: '0' x hex-length, 64 for an unknown algorithm (hashing then throws).
function genesisHash(alg) {
  return '0'.repeat(HASH_HEX_LEN[alg] || 64);
}

// §2.1: the object whose JCS is hashed (undefined members are dropped by canonicalize).
function eventHashInput(event) {
  return {
    seq: event.seq,
    event_type: event.event_type,
    actor_id: event.actor_id || 'system',
    timestamp: new Date(event.created_at).toISOString(), // RangeError: Invalid time value when unparseable
    payload: event.payload,
    prev_hash: event.prev_hash,
  };
}

function computeEventHash(event, alg) {
  return hash(alg || 'sha256', canonicalize(eventHashInput(event)));
}

// §5.2: the SDK integrity loop with the JS error strings; continues after errors; expectedPrev = stored event_hash.
function verifyChainIntegrity(events, alg) {
  const hashAlg = alg || 'sha256';
  const errors = [];
  let expectedPrev = genesisHash(hashAlg);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const expectedSeq = i + 1;
    if (event.seq !== expectedSeq) {
      errors.push(`Event at index ${i}: expected seq=${expectedSeq}, got seq=${event.seq}`);
    }
    if (event.prev_hash !== expectedPrev) {
      errors.push(`Event seq=${event.seq}: prev_hash mismatch (expected ${expectedPrev.slice(0, 16)}..., got ${(event.prev_hash || '').slice(0, 16)}...)`);
    }
    const computed = computeEventHash(event, hashAlg);
    if (computed !== event.event_hash) {
      errors.push(`Event seq=${event.seq}: event_hash mismatch (computed ${computed.slice(0, 16)}..., got ${(event.event_hash || '').slice(0, 16)}...)`);
    }
    expectedPrev = event.event_hash;
  }
  return { is_valid: errors.length === 0, event_count: events.length, errors };
}

// §2.3: H(concatenation of the stored lowercase-hex event hashes, as text).
function computeChainHash(eventHashes, alg) {
  return hash(alg || 'sha256', eventHashes.join(''));
}

// ---- §3 signing ----------------------------------------------------------------------------------------------------

const SIGNATURE_ALGORITHMS = {
  ed25519: { digest: null },
  ed448: { digest: null },
  'ecdsa-p256': { digest: 'sha256', curve: 'prime256v1' },
  'ecdsa-p384': { digest: 'sha384', curve: 'secp384r1' },
  'ecdsa-p521': { digest: 'sha512', curve: 'secp521r1' },
};

// PEM if the string contains -----BEGIN, else hex of DER SubjectPublicKeyInfo; Buffers likewise; KeyObjects as is.
function toPublicKey(key) {
  if (key instanceof crypto.KeyObject) return key;
  if (Buffer.isBuffer(key)) {
    if (key.includes('-----BEGIN')) return crypto.createPublicKey(key);
    return crypto.createPublicKey({ key, format: 'der', type: 'spki' });
  }
  if (typeof key === 'string' && key.includes('-----BEGIN')) return crypto.createPublicKey(key);
  return crypto.createPublicKey({ key: Buffer.from(key, 'hex'), format: 'der', type: 'spki' });
}

// verifySignature(message, signatureHex, publicKey, alg): the JS SDK catches everything and returns false.
function verifySignature(message, signatureHex, publicKey, alg) {
  try {
    const spec = SIGNATURE_ALGORITHMS[alg || 'ed25519'];
    if (!spec) return false;
    const key = toPublicKey(publicKey);
    const sig = Buffer.from(signatureHex, 'hex');
    return crypto.verify(spec.digest, Buffer.from(message, 'utf8'), key, sig);
  } catch (e) {
    return false;
  }
}

// Issuer side (for tests): hex signature over UTF-8(message); ECDSA as DER (Node's default).
function signMessage(message, privateKey, alg) {
  const spec = SIGNATURE_ALGORITHMS[alg || 'ed25519'];
  if (!spec) throw new Error(`Unsupported signature algorithm: ${alg}`);
  return crypto.sign(spec.digest, Buffer.from(message, 'utf8'), privateKey).toString('hex');
}

// ---- §5.4 attestations ---------------------------------------------------------------------------------------------

// RFC 6962 style Merkle root over hex leaves: leaf = H(0x00 || bytes(leaf)), node = H(0x01 || L || R),
// an odd last node promoted; empty -> '0' x hexlen.
function merkleRoot(leavesHex, alg) {
  const a = alg || 'sha256';
  if (!Object.prototype.hasOwnProperty.call(HASH_MAP, a)) throw new Error(`Unsupported hash algorithm: ${a}`);
  if (leavesHex.length === 0) return genesisHash(a);
  const H = (buf) => crypto.createHash(HASH_MAP[a]).update(buf).digest();
  let level = leavesHex.map((l) => H(Buffer.concat([Buffer.from([0]), Buffer.from(l, 'hex')])));
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 < level.length) next.push(H(Buffer.concat([Buffer.from([1]), level[i], level[i + 1]])));
      else next.push(level[i]);
    }
    level = next;
  }
  return level[0].toString('hex');
}

function verifyContentIntegrity(att, alg) {
  if (!att || att.type !== 'ContentIntegrity') return { valid: false, reason: 'Not a ContentIntegrity attestation' };
  const expected = att.root_hash || att.merkle_root;
  if (!expected) return { valid: false, reason: 'Missing root_hash/merkle_root' };
  const leaves = att.leaves || att.leaf_hashes;
  const a = att.hash_algorithm || alg || 'sha256';
  // empty (or absent) leaves: the all-zero root of the algorithm's length, without resolving the algorithm;
  // the root is compared as given (a lowercase hex string is expected, an uppercase one fails)
  const computed = (!Array.isArray(leaves) || leaves.length === 0) ? genesisHash(a) : merkleRoot(leaves, a);
  return { valid: computed === expected, computed_root: computed, expected_root: expected, domain_separation: 'rfc6962' };
}

function verifyTimestampAttestation(att, publicKey, alg, sigAlg) {
  if (!att || att.type !== 'Timestamp') return { valid: false, reason: 'Not a Timestamp attestation' };
  const ts = att.timestamp || att.anchored_at;
  const h = att.hash || att.anchor_hash;
  if (!ts || !h) return { valid: false, reason: 'Missing timestamp/anchored_at or hash/anchor_hash' };
  // backend format (anchor_hash without hash): structure only; SDK format: hash = H(UTF-8 timestamp)
  const hashValid = (att.anchor_hash && !att.hash) ? (typeof h === 'string' && h.length > 0)
    : hash(alg || 'sha256', ts) === h;
  let signatureValid = null;
  if (att.signed_timestamp && publicKey) {
    signatureValid = verifySignature(ts, att.signed_timestamp, publicKey, sigAlg || 'ed25519');
  }
  return { valid: hashValid && (signatureValid === null || signatureValid), hash_valid: hashValid,
    signature_valid: signatureValid };
}

function verifyBlockchainAttestation(att, expectedHash) {
  if (!att || att.type !== 'Blockchain') return { valid: false, reason: 'Not a Blockchain attestation' };
  if (!att.tx_hash) return { valid: false, reason: 'Missing tx_hash' };
  const anchored = att.chain_hash || att.head_hash;
  let hashMatch = null;
  if (expectedHash && anchored) hashMatch = anchored === expectedHash;
  return { valid: hashMatch !== false, hash_match: hashMatch, tx_hash: att.tx_hash, network: att.network || 'unknown' };
}

function verifyAttestation(att, opts) {
  const o = opts || {};
  if (!att || !att.type) return { valid: false, reason: 'Missing attestation type' };
  switch (att.type) {
    case 'ContentIntegrity': return verifyContentIntegrity(att, o.hashAlgorithm);
    case 'Timestamp': return verifyTimestampAttestation(att, o.publicKey, o.hashAlgorithm, o.signatureAlgorithm);
    case 'Blockchain': return verifyBlockchainAttestation(att, o.chainHash);
    default: return { valid: false, reason: `Unknown attestation type: ${att.type}` };
  }
}

// ---- §5.3 offline bundle -------------------------------------------------------------------------------------------

function verifyBundle(bundle) {
  if (!bundle || typeof bundle !== 'object') {
    return { valid: false, certificate_signature_valid: false, chain_integrity: null, chain_hash_valid: false,
      errors: ['Invalid bundle'] };
  }
  const errors = [];
  const { certificate, certificate_signature: signature, chain, public_key: publicKey, attestations } = bundle;
  const hashAlg = (chain && chain.hash_algorithm) || 'sha256';
  const sigAlg = (chain && chain.signature_algorithm) || 'ed25519';

  let sigValid = false;
  if (!certificate || !signature || !publicKey) {
    errors.push('Missing certificate, certificate_signature, or public_key');
  } else {
    try {
      sigValid = verifySignature(canonicalize(certificate), signature, publicKey, sigAlg);
    } catch (e) {
      errors.push(`Certificate signature verification error: ${e.message}`);
    }
  }

  let integrity = { is_valid: false, event_count: 0, errors: ['No chain events provided'] };
  let chainHashValid = false;
  if (!chain || !Array.isArray(chain.events)) {
    errors.push('Missing chain or chain.events');
  } else {
    integrity = verifyChainIntegrity(chain.events, hashAlg);
    errors.push(...integrity.errors);
    if (certificate && certificate.chain_hash) {
      const computed = computeChainHash(chain.events.map((e) => e.event_hash), hashAlg);
      chainHashValid = computed === certificate.chain_hash;
      if (!chainHashValid) {
        errors.push(`Chain hash mismatch: computed ${computed.slice(0, 16)}..., expected ${certificate.chain_hash.slice(0, 16)}...`);
      }
    }
  }

  const result = { valid: false, certificate_signature_valid: sigValid, chain_integrity: integrity,
    chain_hash_valid: chainHashValid, errors };
  let attOk = true;
  if (Array.isArray(attestations) && attestations.length > 0) {
    result.attestation_results = attestations.map((att) => {
      const r = verifyAttestation(att, { hashAlgorithm: hashAlg, signatureAlgorithm: sigAlg, publicKey,
        chainHash: certificate && certificate.chain_hash });
      if (!r.valid) {
        attOk = false;
        errors.push(`Attestation ${att.type || 'unknown'}: ${r.reason || 'invalid'}`); // a null entry throws, as in JS
      }
      return { type: att.type, ...r };
    });
  }
  result.valid = sigValid && integrity.is_valid && chainHashValid && attOk;
  return result;
}

// ---- issuing helpers (tests only): the platform's side, per §1.5 / §2 ----------------------------------------------

// events: [{event_type, actor_id, created_at, payload, sentiment?}] -> full chain events (seq from 1, linked, hashed)
function buildEvents(specs, alg) {
  const out = [];
  let prev = genesisHash(alg);
  specs.forEach((s, i) => {
    const ev = { seq: i + 1, event_type: s.event_type, actor_id: s.actor_id === undefined ? null : s.actor_id,
      created_at: s.created_at, payload: s.payload === undefined ? {} : s.payload, prev_hash: prev };
    ev.event_hash = computeEventHash(ev, alg);
    if (s.sentiment !== undefined) ev.sentiment = s.sentiment;
    prev = ev.event_hash;
    out.push(ev);
  });
  return out;
}

module.exports = {
  canonicalize, hash, HASH_ALGORITHMS, HASH_HEX_LEN, genesisHash, eventHashInput, computeEventHash,
  verifyChainIntegrity, computeChainHash, SIGNATURE_ALGORITHMS, toPublicKey, verifySignature, signMessage,
  merkleRoot, verifyContentIntegrity, verifyTimestampAttestation, verifyBlockchainAttestation, verifyAttestation,
  verifyBundle, buildEvents,
};

// ---- self-test against the reference §6 vectors ------------------------------------------------------------------

function selfTest() {
  const assert = require('assert');
  let ok = 0;
  let bad = 0;
  const check = (cond, what, detail) => {
    if (cond) { ok++; return; }
    bad++;
    console.log('FAIL ' + what + (detail !== undefined ? '\n     ' + String(detail).slice(0, 400) : ''));
  };
  const eq = (got, want, what) => check(got === want, what, `got  ${got}\n     want ${want}`);
  const deq = (got, want, what) => {
    let same = true;
    try { assert.deepStrictEqual(got, want); } catch (e) { same = false; }
    check(same, what, `got  ${JSON.stringify(got)}\n     want ${JSON.stringify(want)}`);
  };

  // §6.1
  const SPEC = [
    [1, 'code_pushed', 'octocat', '2026-03-20T10:00:00.000Z', { ref: 'refs/heads/main', commits: 1 }],
    [2, 'pr_opened', 'octocat', '2026-03-20T10:30:00.000Z', { pr_number: 42, title: 'Fix bug' }],
    [3, 'pr_merged', 'maintainer-bot', '2026-03-20T11:00:00.000Z', { pr_number: 42, merge_sha: 'abc123' }],
  ];
  const V61 = {
    sha256: ['69a5e334f88b67ff0c7caa9226349e2410efa8944ee80fc60a25e60b851a1b0b',
      '47c6bc219c9e2d44ff990288fcaf9d563cfc5fd140238767a681dd159d826407',
      '5e7e9b1e58d97f29d36599205c6b6f5742e9bea3c21cd04b19d72b36a2d1ed72',
      'd5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd'],
    sha384: ['235e00261ec3cfb5a3bdf96806a740c329aa9d59b4ca6365ec814c618e3a68fa626a1b9a4293d01ee2498cfa12622304',
      '3c57f30858a680b1ed95b015c5a756bdc682d7b2186ed9c739e33b0b95cd1e7e11ba4654e08ea0480d229342f7ef8e3d',
      'f10ae274c6e4619210f2b94d8fc2e01aede2d7f24d88d2efd7ba8748088fa73e360bce9724950bfc6d4595550e63fb18',
      'df08d4087ae41a270ffc109b9a64bd2c9f0f40c370b3f1d2b9725890b8ad4cd4c38250997e0761b37e2bb6e61c16c25d'],
    sha512: ['9f36637da9c20aabaf93f97804c1cba578b62a72dd618329b1f535fbf5ee5e417867476463f3760e6a4af8eaced61a2df67d8ec2537b0727d4713c9524cccc5c',
      '7d5841ff24f0945fdb5d6a60f185474125a2b2e62e5fcf65d4a44f45631439020ca8a676836d1428844580b64beb6b18adcb8295ee072323f85b8288f0e3d5ed',
      'e6b6f6c08a7a36838c5253ae61ec083839627e84126e16e5d137105a03665b31b9f0f01ddd0d5d6a4269896ed7eba34f7b20055bbaca84bc43d17ec3bbfbcee5',
      '8dd42312cd5eed69514ed37e3d1cff2e10b1974902a6f3317213d015dd2c1403c113369ad518d18bb0fc3b8e725e1468310b757ac5022fab1e9abbb92dbc68d5'],
    'sha3-256': ['ad59c852067e01adf2a6b1f6af92d2eefc564e989c9f9b6efc55113eaf136481',
      '4aedd71997dd526ef4a95fc36484621dd93d8188a8c35dbce5fd30989fe862fa',
      'd2a7a723e97b9801d9ce686763226e9e9c5f1600c773eb91a2fe813283af7b79',
      'e2fb5d20b8813f8d09feacf884da16558b448706dc69c8476649670a53afaec4'],
    'sha3-384': ['0195d11236f4a318311a37c99356db17b8e3ba4f94e7f1001059870884111c47f5f5282cbb9bcf07d4a252cce29ad03d',
      'fc3e4cba86ac639627dbff6e1f0a8219477472665503ff94fa05d696d032d850a2441ecce669cacfb4fe0bc03340005b',
      '2e71326efc37ea8657cb16f7dd3f8b3a5138688044e756f73528e6a7ee50eeb343e8fd8b34701240e3716beeda48c41a',
      'ec55bcc8c79cf35a05adcf3cf272d7b877784db993adedb298abc18adfd7a290be7214e3712f5af4888b7a86a821d4a7'],
    'sha3-512': ['ec45c2c4b795fc6ecb8ba46b4ea71c746fd50f77acebc7c52d9923685aaa5646df481cf73b51105f06d49c0439ab0168b156ab45e87d7bc9161bd1341516b153',
      '39cfdba5b57eb2b6be0a93d29144c0da40f69a37a11605f674449f7cd40f405453bd5acc448c54a6d108531b157e853ee8a85d03d33a26341d1705861ba04be4',
      '2f806977f2d8bb0942323d42323f2ad9128ccf78155e950246abab6f6509a06ee4f4f1c3cbdcdb2c79f6a7af0b1840b22bf3d9cb90ae40056734b5754e59add1',
      '804a8e0b78f51d7cdd9440585048201413c0848dd2ad7e6084d18f4c78f7223c40e26febe9a2eb8216a5c0c778fe0a2b2b91dd3aea61a6d29cbc0613b410dca9'],
  };
  const specEvents = (alg) => buildEvents(SPEC.map(([, t, a, c, p]) => ({ event_type: t, actor_id: a, created_at: c, payload: p })), alg);
  eq(canonicalize(eventHashInput(specEvents('sha256')[0])),
    '{"actor_id":"octocat","event_type":"code_pushed","payload":{"commits":1,"ref":"refs/heads/main"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"timestamp":"2026-03-20T10:00:00.000Z"}',
    '6.1 canonical event 1');
  for (const alg of HASH_ALGORITHMS) {
    const evs = specEvents(alg);
    eq(evs[0].prev_hash, '0'.repeat(V61[alg][0].length), `6.1 ${alg} genesis length`);
    for (let i = 0; i < 3; i++) eq(evs[i].event_hash, V61[alg][i], `6.1 ${alg} e${i + 1}`);
    eq(computeChainHash(evs.map((e) => e.event_hash), alg), V61[alg][3], `6.1 ${alg} chain_hash`);
    deq(verifyChainIntegrity(evs, alg), { is_valid: true, event_count: 3, errors: [] }, `6.1 ${alg} integrity`);
  }
  eq(hash('sha256', ''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '2.3 empty chain hash');
  eq(computeChainHash([], 'sha256'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', '2.3 computeChainHash([])');
  deq(verifyChainIntegrity([], 'sha256'), { is_valid: true, event_count: 0, errors: [] }, '5.2 empty chain');
  let threw = '';
  try { hash('md5', 'x'); } catch (e) { threw = e.message; }
  eq(threw, 'Unsupported hash algorithm: md5', '2.4 md5');

  // §6.2
  const e62 = { seq: 1, event_type: 'session_started', actor_id: null, created_at: '2026-03-20T19:00:00.123456+09:00',
    payload: {}, prev_hash: genesisHash('sha256') };
  eq(canonicalize(eventHashInput(e62)),
    `{"actor_id":"system","event_type":"session_started","payload":{},"prev_hash":"${'0'.repeat(64)}","seq":1,"timestamp":"2026-03-20T10:00:00.123Z"}`,
    '6.2 canonical');
  eq(computeEventHash(e62, 'sha256'), 'f84da9d77d02554fd3272af808f9c152981feaa6f57245e82503bc35d976ac1d', '6.2 hash');
  // §2.1 timestamp forms
  const iso = (s) => eventHashInput({ created_at: s }).timestamp;
  eq(iso('2026-03-20T10:00:00.9999Z'), '2026-03-20T10:00:00.999Z', '2.1 truncation .9999Z');
  eq(iso('2026-03-20T10:00:00.123456Z'), '2026-03-20T10:00:00.123Z', '2.1 .123456Z');
  eq(iso('2026-03-20T10:00:00Z'), '2026-03-20T10:00:00.000Z', '2.1 no fraction');
  eq(iso('2026-03-20 10:00:00+00'), '2026-03-20T10:00:00.000Z', '2.1 postgres form');
  threw = '';
  try { iso('not a date'); } catch (e) { threw = `${e.name}: ${e.message}`; }
  eq(threw, 'RangeError: Invalid time value', '2.1 unparseable');

  // §6.3
  const testChain = (times) => buildEvents(times.map((t, i) => ({ event_type: 'test', actor_id: 'system', created_at: t,
    payload: { value: i + 1 } })), 'sha256');
  const js = testChain([1, 2, 3].map((i) => new Date(1700000000000 + i * 1000).toISOString()));
  eq(js[0].created_at, '2023-11-14T22:13:21.000Z', '6.3 JS timestamps');
  const jsWant = ['579a197f2a5ca2df9335e61e6e713843123840a471333e81cfd50a689922edac',
    '1b2fb4262beb0d41dc034d85d468379b3480314988a17a11e8599c6fe60cc12a',
    'bf55cdc4058eff25efea3a7e9df5e3c859131353e6c632cdc9c7819c0d18fd1b'];
  jsWant.forEach((h, i) => eq(js[i].event_hash, h, `6.3 JS e${i + 1}`));
  eq(computeChainHash(js.map((e) => e.event_hash)), '80180c4364998eef6a2941af5f56d9eb88ff65ca3bc8e247144d7d818bcd7d87', '6.3 JS chain(3)');
  eq(computeChainHash(js.slice(0, 2).map((e) => e.event_hash)), '582eb847e7f84524537d278c6d5c3cc255467dc1b1b916ab1ae89ff344f6aee9', '6.3 JS chain(2)');
  // the same events built with Date objects as created_at (as the SDK test does)
  const jsDates = js.map((e, i) => ({ ...e, created_at: new Date(1700000000000 + (i + 1) * 1000) }));
  deq(verifyChainIntegrity(jsDates), { is_valid: true, event_count: 3, errors: [] }, '6.3 JS Date created_at');
  const py = testChain(['2023-11-15T00:00:01.000Z', '2023-11-15T00:00:02.000Z', '2023-11-15T00:00:03.000Z']);
  ['1ecdd5b5b08d8f9d5222d5ddec804267248818de50bec533f39ff9f2dee1eedf',
    'd13c63565a82dfc6067b855a770227f4d7d6d9c26675d851a1dbb548104b17ab',
    'c702357d5a61afe98ed46c0f49a38f5fe5a3504119955c4b6115f1632cf7b02e'].forEach((h, i) => eq(py[i].event_hash, h, `6.3 PY e${i + 1}`));
  eq(computeChainHash(py.map((e) => e.event_hash)), '665ebc6a0607f943973560f98484512cd5cafe37b516810d08b8deeafc86a29f', '6.3 PY chain');
  const tampered = js.map((e) => ({ ...e }));
  tampered[1].event_hash = 'deadbeef'.repeat(8);
  check(!verifyChainIntegrity(tampered).is_valid, '7 tampered event_hash invalid');

  // §6.4
  const seed25519 = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const priv25519 = crypto.createPrivateKey({ key: Buffer.from('302e020100300506032b657004220420' + seed25519, 'hex'),
    format: 'der', type: 'pkcs8' });
  const pub25519 = crypto.createPublicKey(priv25519);
  const spki25519 = pub25519.export({ format: 'der', type: 'spki' }).toString('hex');
  eq(spki25519, '302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', '6.4 SPKI hex');
  const pem25519 = pub25519.export({ format: 'pem', type: 'spki' });
  eq(pem25519.split('\n')[1], 'MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=', '6.4 PEM body');
  const emptySig = crypto.sign(null, Buffer.alloc(0), priv25519).toString('hex');
  check(emptySig.startsWith('e5564300c360ac72') && emptySig.endsWith('7a100b'), '6.4 RFC 8032 test 1', emptySig);

  const evs = specEvents('sha256');
  const cert = {
    version: '1.0', chain_id: '11111111-2222-4333-8444-555555555555', chain_type: 'resource_audit', origin_type: 'github',
    origin_id: 'octocat/hello-world', artifact_type: 'repository', artifact_ref: 'octocat/hello-world',
    artifact_title: 'Hello World repository audit', event_count: 3, chain_hash: V61.sha256[3],
    events: evs.map((e, i) => ({ seq: e.seq, event_type: e.event_type, actor_id: e.actor_id,
      sentiment: i === 2 ? 'positive' : 'neutral' })),
    chain_created_at: '2026-03-20T09:59:59.000Z', chain_resolved_at: '2026-03-20T11:05:00.000Z',
    issued_at: '2026-03-20T11:05:01.000Z',
  };
  const canon = canonicalize(cert);
  eq(canon, '{"artifact_ref":"octocat/hello-world","artifact_title":"Hello World repository audit","artifact_type":"repository","chain_created_at":"2026-03-20T09:59:59.000Z","chain_hash":"d5756aae5c39c56d6489e2e2841d2268cf30a51afc2018fc65bfd6bfad23cdfd","chain_id":"11111111-2222-4333-8444-555555555555","chain_resolved_at":"2026-03-20T11:05:00.000Z","chain_type":"resource_audit","event_count":3,"events":[{"actor_id":"octocat","event_type":"code_pushed","sentiment":"neutral","seq":1},{"actor_id":"octocat","event_type":"pr_opened","sentiment":"neutral","seq":2},{"actor_id":"maintainer-bot","event_type":"pr_merged","sentiment":"positive","seq":3}],"issued_at":"2026-03-20T11:05:01.000Z","origin_id":"octocat/hello-world","origin_type":"github","version":"1.0"}',
    '6.4 certificate canonical form');
  eq(Buffer.byteLength(canon, 'utf8'), 751, '6.4 751 bytes');
  eq(hash('sha256', canon), 'fb98285ffdc1917bf8c1bfc098e4726fd920c7bccc17a984e47c0e8dae038096', '6.4 sha256 of canonical');
  const SIG64 = 'e3e6797d5a9e03b508acc8a6d56f410d31baf15c3315865afcd0e82680e350e591780c70608ccce6cfbf877ee684bfae1d4842d1752be8fe18afd0859cf39500';
  eq(signMessage(canon, priv25519, 'ed25519'), SIG64, '6.4 Ed25519 signature');
  check(verifySignature(canon, SIG64, pem25519, 'ed25519'), '6.4 verify PEM');
  check(verifySignature(canon, SIG64, spki25519, 'ed25519'), '6.4 verify hex SPKI');
  check(verifySignature(canon, SIG64.toUpperCase(), spki25519, 'ed25519'), '3 uppercase hex accepted by Node');
  check(!verifySignature(canon, 'oe_sig_' + SIG64, spki25519, 'ed25519'), '3 oe_sig_ prefix not stripped by the SDK');
  check(!verifySignature(canon, SIG64, 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'ed25519'), '3 raw key rejected');
  check(!verifySignature(canon, 'bad', pem25519, 'ed25519'), '7 bad signature false');
  check(!verifySignature(canon + ' ', SIG64, pem25519, 'ed25519'), '7 wrong message false');

  const bundle = {
    certificate: cert, certificate_signature: SIG64,
    chain: { id: cert.chain_id, events: evs.map((e) => ({ ...e, created_at: e.created_at })), hash_algorithm: 'sha256',
      signature_algorithm: 'ed25519', canonicalization: 'jcs' },
    public_key: pem25519,
  };
  const okResult = { valid: true, certificate_signature_valid: true,
    chain_integrity: { is_valid: true, event_count: 3, errors: [] }, chain_hash_valid: true, errors: [] };
  deq(verifyBundle(bundle), okResult, '6.4 bundle result');
  deq(verifyBundle(JSON.parse(JSON.stringify(bundle))), okResult, '6.4 bundle result after a JSON round trip');
  const b1 = JSON.parse(JSON.stringify(bundle));
  b1.chain.events[1].payload.title = 'Fix bugs';
  const errs1 = ['Event seq=2: event_hash mismatch (computed 94930fb04bb117e3..., got 47c6bc219c9e2d44...)'];
  deq(verifyBundle(b1), { valid: false, certificate_signature_valid: true,
    chain_integrity: { is_valid: false, event_count: 3, errors: errs1 }, chain_hash_valid: true, errors: errs1 },
  '6.4 negative: payload title');
  const b2 = JSON.parse(JSON.stringify(bundle));
  b2.chain.events.splice(1, 1);
  const ierr2 = ['Event at index 1: expected seq=2, got seq=3',
    'Event seq=3: prev_hash mismatch (expected 69a5e334f88b67ff..., got 47c6bc219c9e2d44...)'];
  deq(verifyBundle(b2), { valid: false, certificate_signature_valid: true,
    chain_integrity: { is_valid: false, event_count: 2, errors: ierr2 }, chain_hash_valid: false,
    errors: [...ierr2, 'Chain hash mismatch: computed 709be51e79d17852..., expected d5756aae5c39c56d...'] },
  '6.4 negative: e2 dropped');
  deq(verifyBundle(null), { valid: false, certificate_signature_valid: false, chain_integrity: null,
    chain_hash_valid: false, errors: ['Invalid bundle'] }, '5.3 Invalid bundle');

  // §6.5
  const seed448 = '6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39a3fc5b94492f8f032e7549a20098f95b';
  const priv448 = crypto.createPrivateKey({ key: Buffer.from('3047020100300506032b6571043b0439' + seed448, 'hex'),
    format: 'der', type: 'pkcs8' });
  const spki448 = crypto.createPublicKey(priv448).export({ format: 'der', type: 'spki' }).toString('hex');
  eq(spki448, '3043300506032b6571033a005fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180', '6.5 Ed448 SPKI');
  const SIG448 = '472d108813e92310a60f7d90c1341882c9e8f9800c1bb248374d7539526cbdfd581324785f2bb3244f1f878e3bc16617cc5632ccd1481d9a007bc8ec260a299268cfa3f65f25098fd1c2c9bae47b3767bd45f9cc5cfb27ce0ea81df1f25907e7a3d5194192d343152b650765aa189e053f00';
  eq(signMessage(canon, priv448, 'ed448'), SIG448, '6.5 Ed448 signature');
  check(verifySignature(canon, SIG448, spki448, 'ed448'), '6.5 Ed448 verify');
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721', 'hex'));
  const spkiP256 = '3059301306072a8648ce3d020106082a8648ce3d030107034200' + ecdh.getPublicKey('hex', 'uncompressed');
  eq(spkiP256, '3059301306072a8648ce3d020106082a8648ce3d0301070342000460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299', '6.5 P-256 SPKI from d');
  const SIGP256 = '3046022100cb2483494a1fab678405885112b091837181357247f1e5502b66a9fe2d1b2ef0022100c0f6b4cd4cd9b9524733002621e838bc06832f6edf192c59b70b12622f023ba1';
  check(verifySignature(canon, SIGP256, spkiP256, 'ecdsa-p256'), '6.5 P-256 verify');
  check(!verifySignature(canon, SIGP256, spkiP256, 'ecdsa-p384'), '6.5 P-256 sig with the SHA-384 digest is false');
  // the raw r||s form fails (§3)
  const rs = Buffer.concat([Buffer.from('cb2483494a1fab678405885112b091837181357247f1e5502b66a9fe2d1b2ef0', 'hex'),
    Buffer.from('c0f6b4cd4cd9b9524733002621e838bc06832f6edf192c59b70b12622f023ba1', 'hex')]).toString('hex');
  check(!verifySignature(canon, rs, spkiP256, 'ecdsa-p256'), '3 raw r||s rejected');
  const b448 = { ...bundle, certificate_signature: SIG448, public_key: spki448,
    chain: { ...bundle.chain, signature_algorithm: 'ed448' } };
  deq(verifyBundle(b448), okResult, '6.5 Ed448 bundle');
  const bP256 = { ...bundle, certificate_signature: SIGP256, public_key: spkiP256,
    chain: { ...bundle.chain, signature_algorithm: 'ecdsa-p256' } };
  deq(verifyBundle(bP256), okResult, '6.5 P-256 bundle');

  // §6.7
  const leaves = ['data1', 'data2', 'data3'].map((d) => hash('sha256', d));
  eq(leaves.join(','), ['5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d406c9',
    'd98cf53e0c8b77c14a96358d5b69584225b4bb9026423cbc2f7b0161894c402c',
    'f60f2d65da046fcaaf8a10bd96b5630104b629e111aff46ce89792e1caa11b18'].join(','), '6.7 leaves');
  const R2 = 'f85c1c9e42529e980b8d1435e2cb0b01f970ce30c9754721fec8995e010fed67';
  const R3 = 'bf7e817bae7621bb5ef7148a50aed3323158d73188128721d47ba778e9a37a4e';
  eq(merkleRoot(leaves.slice(0, 2), 'sha256'), R2, '6.7 root(2)');
  eq(merkleRoot(leaves, 'sha256'), R3, '6.7 root(3)');
  deq(verifyContentIntegrity({ type: 'ContentIntegrity', root_hash: R2, leaves: leaves.slice(0, 2) }),
    { valid: true, computed_root: R2, expected_root: R2, domain_separation: 'rfc6962' }, '6.7 ContentIntegrity valid');
  check(!verifyContentIntegrity({ type: 'ContentIntegrity', merkle_root: R2, leaf_hashes: leaves }).valid, '6.7 wrong root');
  check(verifyContentIntegrity({ type: 'ContentIntegrity', root_hash: '0'.repeat(64), leaves: [] }).valid, '6.7 empty');
  deq(verifyContentIntegrity({ type: 'Timestamp' }), { valid: false, reason: 'Not a ContentIntegrity attestation' }, '5.4 CI type');
  deq(verifyContentIntegrity({ type: 'ContentIntegrity', leaves }), { valid: false, reason: 'Missing root_hash/merkle_root' }, '5.4 CI root');
  const ts = '2026-03-20T11:05:01.000Z';
  const tsSig = signMessage(ts, priv25519, 'ed25519');
  deq(verifyTimestampAttestation({ type: 'Timestamp', timestamp: ts, hash: hash('sha256', ts), signed_timestamp: tsSig },
    pem25519, 'sha256', 'ed25519'), { valid: true, hash_valid: true, signature_valid: true }, '5.4 Timestamp signed');
  deq(verifyTimestampAttestation({ type: 'Timestamp', timestamp: ts, hash: 'wrong' }),
    { valid: false, hash_valid: false, signature_valid: null }, '5.4 Timestamp wrong hash');
  deq(verifyTimestampAttestation({ type: 'Timestamp', anchored_at: ts, anchor_hash: 'ab' }),
    { valid: true, hash_valid: true, signature_valid: null }, '5.4 Timestamp backend format');
  deq(verifyTimestampAttestation({ type: 'Timestamp', timestamp: ts }),
    { valid: false, reason: 'Missing timestamp/anchored_at or hash/anchor_hash' }, '5.4 Timestamp missing hash');
  check(!verifyContentIntegrity({ type: 'ContentIntegrity', root_hash: R2.toUpperCase(), leaves: leaves.slice(0, 2) }).valid,
    '5.4 root compared as a lowercase hex string');
  deq(verifyBlockchainAttestation({ type: 'Blockchain', tx_hash: '0xab', chain_hash: 'x' }, 'x'),
    { valid: true, hash_match: true, tx_hash: '0xab', network: 'unknown' }, '5.4 Blockchain match');
  check(!verifyBlockchainAttestation({ type: 'Blockchain', tx_hash: '0xab', chain_hash: 'x' }, 'y').valid, '5.4 Blockchain mismatch');
  deq(verifyAttestation({ type: 'Foo' }), { valid: false, reason: 'Unknown attestation type: Foo' }, '5.4 unknown type');
  deq(verifyAttestation({}), { valid: false, reason: 'Missing attestation type' }, '5.4 missing type');
  const bAtt = { ...bundle, attestations: [{ type: 'ContentIntegrity', root_hash: R3, leaves },
    { type: 'Blockchain', tx_hash: '0x01', chain_hash: V61.sha256[3], network: 'base' }] };
  const rAtt = verifyBundle(bAtt);
  check(rAtt.valid && rAtt.attestation_results.length === 2 && rAtt.attestation_results[0].type === 'ContentIntegrity',
    '5.3 bundle with attestations', JSON.stringify(rAtt));
  const rAtt2 = verifyBundle({ ...bundle, attestations: [{ type: 'ContentIntegrity', root_hash: R2, leaves }] });
  check(!rAtt2.valid && rAtt2.errors.join() === 'Attestation ContentIntegrity: invalid', '5.3 failed attestation', JSON.stringify(rAtt2));

  // §6.6 and §7 canonicalize cases
  const J = (text) => canonicalize(JSON.parse(text));
  eq(J('{"k":"é"}'), '{"k":"é"}', '6.6 é raw');
  eq(J('{"😀":1,"\\uffff":2,"a":3}'), '{"a":3,"😀":1,"\uffff":2}', '6.6 UTF-16 key order');
  eq(J('{"s":"line\\nbreak\\t\\u0001\\u007f\\"\\\\/"}'), '{"s":"line\\nbreak\\t\\u0001\x7f\\"\\\\/"}', '6.6 escapes');
  eq(J('[1.0,0.1,1e21,1e20,1e-7,0.000001,123456789.123,-0.0,5e-324,1.7976931348623157e308]'),
    '[1,0.1,1e+21,100000000000000000000,1e-7,0.000001,123456789.123,0,5e-324,1.7976931348623157e+308]', '6.6 numbers');
  eq(J('[9007199254740993,12345678901234567890]'), '[9007199254740992,12345678901234567000]', '6.6 big ints');
  eq(J('{"u":"\\u2028\\u2029"}'), '{"u":"\u2028\u2029"}', '6.6 U+2028/2029 raw');
  eq(canonicalize({ a: undefined, b: [undefined, 1] }), '{"b":[null,1]}', '6.6 undefined');
  eq(J('{"s":"\\ud800"}'), '{"s":"\\ud800"}', '4 lone surrogate escaped');
  eq(canonicalize(null), 'null', '7 null');
  eq(canonicalize(42), '42', '7 42');
  eq(canonicalize('hello'), '"hello"', '7 "hello"');
  eq(canonicalize([1, 2]), '[1,2]', '7 [1,2]');
  eq(canonicalize({ b: 2, a: 1 }), '{"a":1,"b":2}', '7 {b,a}');
  eq(canonicalize(true), 'true', '7 true');
  eq(hash('sha256', 'hello'), crypto.createHash('sha256').update('hello').digest('hex'), '7 hash(hello)');

  if (bad) {
    console.log(`oe_sdk.js: ${bad} of ${ok + bad} vectors FAILED`);
    process.exit(1);
  }
  console.log(`oe_sdk.js: ${ok} vectors ok`);
}

if (require.main === module) selfTest();
