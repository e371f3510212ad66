// OPE envelopes: pack and verify, compared with the prova CLI (PROVA_CLI) when it is available.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Key, KeySet, packEnvelope, verify, parse, canonicalString } from '../dist/index.js';

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../..');
const cli = process.env.PROVA_CLI;
const keysDir = path.join(root, 'conformance/keys');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prova-js-'));
const NOW = '2026-01-02T03:04:05Z';

function cliVerify(doc, args) {
  const f = path.join(tmp, 'doc.json');
  fs.writeFileSync(f, doc);
  try {
    return execFileSync(cli, ['verify', '--json', ...args, f], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
  } catch (e) {
    return e.stdout.toString().trim();
  }
}

async function jsVerify(doc, o) {
  return (await verify(doc, o)).toJSONString();
}

const sender = JSON.parse(fs.readFileSync(path.join(keysDir, 'ope-sender.jwk'), 'utf8'));
const senderJwks = fs.readFileSync(path.join(keysDir, 'ope-sender.jwks'), 'utf8');
const otherJwks = fs.readFileSync(path.join(keysDir, 'other.jwks'), 'utf8');

test('pack: same bytes as prova pack in every dialect (fixed ts and trace_id)', { skip: !cli }, async () => {
  const key = await Key.fromJwk(sender);
  const payload = { b: [1, 2.5, 'é'], a: { z: null, y: true }, n: 12345678901234567890n };
  const pf = path.join(tmp, 'payload.json');
  fs.writeFileSync(pf, '{"b":[1,2.5,"é"],"a":{"z":null,"y":true},"n":12345678901234567890}');
  for (const dialect of ['prova', 'ope-lib', 'starter']) {
    for (const bind of dialect === 'prova' ? [false, true] : [false]) {
      const mine = await packEnvelope(key, payload, { payloadType: 'task', targetType: 'agent', ts: NOW, traceId: 't-1', dialect, bind });
      const theirs = execFileSync(cli, ['pack', '--key', path.join(keysDir, 'ope-sender.jwk'), '--payload-type', 'task', '--target-type', 'agent',
        '--trace-id', 't-1', '--ts', NOW, '--dialect', dialect, ...(bind ? ['--bind'] : []), pf]).toString().trim();
      assert.equal(mine, theirs, `${dialect} bind=${bind}`);
    }
  }
});

test('verify: envelopes and their tamperings give the C report byte for byte', { skip: !cli }, async () => {
  const key = await Key.fromJwk(sender);
  const docs = [];
  for (const dialect of ['prova', 'ope-lib', 'starter']) {
    for (const bind of dialect === 'prova' ? [false, true] : [false]) {
      const env = await packEnvelope(key, { x: 1, s: 'ü\u2028' }, { payloadType: 'task', targetType: 'agent', ts: NOW, traceId: 't-2', dialect, bind,
        ...(dialect === 'prova' ? { notBefore: '2026-01-01T00:00:00Z', expiresAt: '2026-01-03T00:00:00+01:00' } : {}) });
      docs.push(env);
      const o = JSON.parse(env);
      o.payload.x = 2;
      docs.push(JSON.stringify(o));
      const p = JSON.parse(env);
      p.extra = 'not signed';
      docs.push(JSON.stringify(p));
      const q = JSON.parse(env);
      q.ts = '2026-01-02T03:14:05Z';
      docs.push(JSON.stringify(q));
      const s = JSON.parse(env);
      for (const k of ['sig', 'sender_sig', 'signature']) if (k in s) s[k] = s[k].slice(0, -2) + 'AA';
      docs.push(JSON.stringify(s));
      const c = JSON.parse(env);
      delete c.cid;
      docs.push(JSON.stringify(c));
    }
  }
  docs.push('{"payload":{},"cid":1}', '{"payload":[],"sig":"x"}', '{"payload":{},"sig":"x","trace_id":"t","ts":17000,"cid":"sha256:00","payload_type":"a","target_type":"b","kid":"k"}',
    '[1,2', '{"a":1,"a":2}', '{"x":1}', '[]', '{"payload":{},"sig":"x","trace_id":"t","ts":"nope","cid":"c","payload_type":"a","target_type":"b","sig_alg":"rsa"}');
  const cases = [
    [['--jwks', path.join(keysDir, 'ope-sender.jwks'), '--now', NOW], { jwks: senderJwks, jwksSource: 'jwks:' + path.join(keysDir, 'ope-sender.jwks'), nowUs: Date.parse(NOW) * 1000 }],
    [['--jwks', path.join(keysDir, 'other.jwks'), '--now', '2026-01-02T03:00:00Z'], { jwks: otherJwks, jwksSource: 'jwks:' + path.join(keysDir, 'other.jwks'), nowUs: Date.parse('2026-01-02T03:00:00Z') * 1000 }],
    [['--jwks', path.join(keysDir, 'ope-sender.jwks'), '--no-skew', '--now', '2026-02-01T00:00:00Z'], { jwks: senderJwks, jwksSource: 'jwks:' + path.join(keysDir, 'ope-sender.jwks'), noSkew: true, nowUs: Date.parse('2026-02-01T00:00:00Z') * 1000 }],
    [['--trust-embedded-key', '--now', NOW], { trustEmbeddedKey: true, nowUs: Date.parse(NOW) * 1000 }],
  ];
  let n = 0;
  for (const d of docs) {
    for (const [args, o] of cases) {
      assert.equal(await jsVerify(d, o), cliVerify(d, args), `${d.slice(0, 120)} ${args.join(' ')}`);
      n++;
    }
  }
  assert.ok(n > 100);
});

test('verify without the CLI: a packed envelope verifies and a changed payload does not', async () => {
  const key = await Key.generate('ed25519');
  const ks = new KeySet();
  ks.add(key, 'test');
  const env = await packEnvelope(key, { a: 1 }, { payloadType: 't', targetType: 'u', ts: NOW });
  const r = await verify(env, { keys: ks, nowUs: Date.parse(NOW) * 1000 });
  assert.equal(r.outcome, 'valid', r.toString());
  const bad = parse(env);
  bad.payload.a = new (await import('../dist/index.js')).JsonNumber('2');
  const r2 = await verify(canonicalString(bad, 'ope'), { keys: ks, nowUs: Date.parse(NOW) * 1000 });
  assert.equal(r2.outcome, 'invalid');
  assert.equal(r2.firstFailure().code, 'cid_mismatch');
});

test('Verifier: prepared options give the same reports as verify(), under node:crypto and WebCrypto', async () => {
  const { Verifier, useWebCrypto, JsonNumber } = await import('../dist/index.js');
  const key = await Key.generate('ed25519');
  const other = await Key.generate('ed25519');
  const jwks = JSON.stringify({ keys: [key.toJwk()] });
  const env = await packEnvelope(key, { a: 1, s: 'ü\u2028', f: 1.5 }, { payloadType: 't', targetType: 'u', ts: NOW });
  const bad = parse(env);
  bad.payload.a = new JsonNumber('2');
  const forgedDoc = parse(await packEnvelope(other, { a: 1 }, { payloadType: 't', targetType: 'u', ts: NOW }));
  forgedDoc.kid = key.kid; // signed by another key, claiming this one
  const forged = canonicalString(forgedDoc, 'ope');
  const docs = [env, new TextEncoder().encode(env), canonicalString(bad, 'ope'), forged, '{"x":', '[1]'];
  for (const web of [false, true]) {
    useWebCrypto(web);
    try {
      for (const opts of [{ jwks, now: NOW }, { jwks: JSON.parse(jwks), jwksSource: 'jwks:k', now: NOW }, { keys: await KeySet.fromJwks(jwks), nowUs: Date.parse(NOW) * 1000 }]) {
        const v = new Verifier(opts);
        const v2 = await Verifier.create(opts);
        for (const d of docs) {
          const want = (await verify(d, opts)).toJSONString();
          assert.equal((await v.verify(d)).toJSONString(), want);
          assert.equal((await v2.verify(d)).toJSONString(), want);
        }
        assert.equal((await v.verify(env)).outcome, 'valid');
        assert.equal((await v.verify(docs[2])).firstFailure().code, 'cid_mismatch');
        assert.equal((await v.verify(forged)).firstFailure().code, 'signature_invalid');
      }
    } finally {
      useWebCrypto(false);
    }
  }
  await assert.rejects(Verifier.create({ jwks: '{"nope":1}' }), (e) => e.code === 'jwks_invalid');
  await assert.rejects(Verifier.create({ now: 'yesterday' }), (e) => e.code === 'time_invalid');
  await assert.rejects(new Verifier({ jwks: 'not json' }).verify(env), (e) => e.code === 'json_syntax');
});

// verify(text) takes the canonical text of a payload written canonically from the parse (no second write); a
// payload written any other way is canonicalized. Either way the report is the one of the parsed value, which
// verify(Json) canonicalizes itself: each variant below is checked both ways.
test('verify: the payload text is used as its canonical form only when it is', async () => {
  const key = await Key.generate('ed25519');
  const ks = new KeySet();
  ks.add(key, 'test');
  const o = { keys: ks, nowUs: Date.parse(NOW) * 1000 };
  const payload = parse('{"a":1,"b":[true,false,null,{}],"c":{"d":1.5e-05,"e":311.207,"f":-1,"g":"\u00fc\u2028\u{1F600}"},"z":[]}');
  const env = await packEnvelope(key, payload, { payloadType: 't', targetType: 'u', ts: NOW });
  assert.equal((await verify(env, o)).outcome, 'valid');
  const variants = [
    ['"a":1', '"a": 1'], ['"a":1,', '"a":1 ,'], ['"a":1', '"a" :1'], ['"b":[true', '"b":[ true'], ['null,{}', 'null,{ }'],
    ['"a":1', '"a":1.0'], ['"a":1', '"a":-0'], ['"f":-1', '"f":-0'], ['1.5e-05', '0.000015'], ['1.5e-05', '1.5E-05'],
    ['311.207', '311.2070'], ['"a":1,"b"', '"b":[],"a":1,"x"'], ['"g":"', '"g":"\\u0041'], ['"a":1', '"\\u0061":1'],
    ['"z":[]', '"z":[ ]'], ['"z":[]', '"z":{"\uffff":1,"\u{1F600}":2}'], ['"z":[]', '"z":{"\u{1F600}":1,"\uffff":2}'],
    ['"z":[]', '"z":1e400'], ['"z":[]', '"z":100000000000000000000001'], ['"z":[]', '"z":1e16'], ['"z":[]', '"z":1e+16'],
    ['"z":[]', '"z":{"__proto__":{"x":1},"constructor":[],"toString":null}'], ['"z":[]', '"z":{"toString":1,"__proto__":2}'],
  ];
  for (const [from, to] of variants) {
    assert.ok(env.includes(from), from);
    const text = env.replace(from, to);
    for (const doc of [text, new TextEncoder().encode(text)]) {
      let want;
      try {
        want = (await verify(parse(text), o)).toJSONString();
      } catch {
        continue; // not JSON (1e400): the parse failure is checked elsewhere
      }
      assert.equal((await verify(doc, o)).toJSONString(), want, `${from} -> ${to}`);
    }
  }
  // names of Object.prototype's members are plain members, duplicates included
  for (const [to, name] of [['{"__proto__":1,"__proto__":2}', '__proto__'], ['{"toString":1,"toString":2}', 'toString']]) {
    const f = (await verify(env.replace('"z":[]', '"z":' + to), o)).firstFailure();
    assert.deepEqual([f.code, f.at], ['json_duplicate_key', '/payload/z/' + name]);
  }
});
