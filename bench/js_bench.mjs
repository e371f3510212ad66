// The TypeScript package (bindings/js, @prova/prova) against its peers, in one process (bench/bindings.sh).
//
//   node bench/js_bench.mjs jcs ROUNDS FILE...        JCS canonicalization of each FILE (JSON text)
//   node bench/js_bench.mjs envelope N ROUNDS DIR     envelope verification of DIR/envelope.json (bench_ope --dump)
//
// jcs: for each file, ROUNDS rounds; in each round every variant below runs once, in an order that rotates from
// round to round, timed with process.cpuUsage() (user + system CPU time of this process):
//   from the text (what a verifier or `prova canon` starts from; the file's bytes are read once, untimed):
//     prova.text.bytes   canonicalizeText(bytes, 'jcs') -> Uint8Array (strict parse: duplicate keys, UTF-8, ...)
//     prova.text.string  canonicalizeText(string, 'jcs') -> Uint8Array
//     npm.text           canonicalize(JSON.parse(string)) -> string (canonicalize@5.1.0, tests/node_modules)
//     npm.text.bytes     the same, then TextEncoder.encode -> Uint8Array (bytes, as prova returns)
//   from an already-parsed value (what canonicalize npm takes; JSON.parse once, untimed):
//     prova.value.string canonicalString(value, 'jcs') -> string
//     prova.value.bytes  canonicalize(value, 'jcs') -> Uint8Array
//     npm.value          canonicalize(value) -> string
// Before timing, every variant's output is compared byte for byte with npm's (UTF-8 of its string). Prints per file
//   jcs file=F bytes=B rounds=R VARIANT=MB/s ... (medians) and ratios value=prova.value.string/npm.value,
//   text=prova.text.bytes/npm.text.bytes (medians of the per-round ratios, with min and max).
//
// envelope: ROUNDS rounds of N calls each of
//     prova     await verify(envelope bytes, { jwks: JWKS text, nowUs })  (report.valid checked every call)
//     verifier  await v.verify(envelope bytes), v = new Verifier({ jwks: JWKS text, nowUs }) made once
//     raw       crypto.verify(null, signingString, keyObject, sig) of node:crypto (the same Ed25519 signature of
//               "cid|trace_id|ts" with the same public key; nothing else)
// back to back, the order rotating; CPU time. Prints envelope n=N rounds=R prova_eps=.. raw_eps=.. (medians)
// ratio=.. (median of the per-round prova/raw ratios, min, max), and verifier_eps=.. verifier_ratio=.. likewise.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const prova = await import(pathToFileURL(path.join(root, 'bindings/js/dist/index.js')).href);
const require = createRequire(path.join(root, 'tests/package.json'));
const npmModule = await import(pathToFileURL(require.resolve('canonicalize')).href);
const npmCanonicalize = npmModule.default ?? npmModule.canonicalize;

function cpu() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

const enc = new TextEncoder();

function benchJcs(rounds, files) {
  for (const file of files) {
    const bytes = new Uint8Array(readFileSync(file));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const value = JSON.parse(text);
    const variants = {
      'prova.text.bytes': () => prova.canonicalizeText(bytes, 'jcs'),
      'prova.text.string': () => prova.canonicalizeText(text, 'jcs'),
      'npm.text': () => npmCanonicalize(JSON.parse(text)),
      'npm.text.bytes': () => enc.encode(npmCanonicalize(JSON.parse(text))),
      'prova.value.string': () => prova.canonicalString(value, 'jcs'),
      'prova.value.bytes': () => prova.canonicalize(value, 'jcs'),
      'npm.value': () => npmCanonicalize(value),
    };
    const names = Object.keys(variants);
    const want = enc.encode(npmCanonicalize(value));
    const same = {};
    for (const n of names) {
      const out = variants[n]();
      const got = typeof out === 'string' ? enc.encode(out) : out;
      same[n] = equalBytes(got, want) ? 'identical' : `DIFFER@${firstDiff(got, want)}`;
    }
    const t = Object.fromEntries(names.map((n) => [n, []]));
    for (let k = 0; k < rounds; k++) {
      const order = names.slice(k % names.length).concat(names.slice(0, k % names.length));
      for (const n of order) {
        const t0 = cpu();
        const out = variants[n]();
        t[n].push(cpu() - t0);
        if (out.length === 0) throw new Error('empty output');
      }
    }
    const mb = bytes.length / 1e6;
    const ratio = (a, b) => {
      const rs = t[a].map((x, i) => t[b][i] / x);
      return `${median(rs).toFixed(3)} min=${Math.min(...rs).toFixed(3)} max=${Math.max(...rs).toFixed(3)}`;
    };
    console.log(`jcs file=${path.basename(file)} bytes=${bytes.length} rounds=${rounds} ` +
      names.map((n) => `${n}=${(mb / median(t[n])).toFixed(1)}`).join(' '));
    console.log(`jcs_ratio file=${path.basename(file)} value=${ratio('prova.value.string', 'npm.value')} ` +
      `value_bytes_vs_string=${ratio('prova.value.bytes', 'npm.value')} ` +
      `text=${ratio('prova.text.bytes', 'npm.text.bytes')} text_vs_string=${ratio('prova.text.bytes', 'npm.text')}`);
    console.log(`jcs_outputs file=${path.basename(file)} ` + names.map((n) => `${n}=${same[n]}`).join(' '));
  }
}

async function benchEnvelope(n, rounds, dir) {
  const env = new Uint8Array(readFileSync(path.join(dir, 'envelope.json')));
  const jwksText = readFileSync(path.join(dir, 'envelope.jwks'), 'utf8');
  const nowText = readFileSync(path.join(dir, 'envelope.now'), 'utf8').trim();
  const nowUs = prova.parseTime(nowText);
  if (nowUs === null) throw new Error('bad envelope.now');
  const e = JSON.parse(new TextDecoder().decode(env));
  const jwk = JSON.parse(jwksText).keys.find((k) => k.kid === e.kid);
  const keyObject = crypto.createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  const msg = Buffer.from(`${e.cid}|${e.trace_id}|${e.ts}`, 'utf8');
  const sig = Buffer.from(e.sig, 'base64url');
  if (!crypto.verify(null, msg, keyObject, sig)) throw new Error('the raw signature does not verify');
  const opts = { jwks: jwksText, nowUs };
  const first = await prova.verify(env, opts);
  if (!first.valid) throw new Error('prova verify: not valid: ' + JSON.stringify(first));
  console.log(`envelope_report kind=${first.kind} valid=${first.valid} checks=${first.checks.length}`);

  const runProva = async () => {
    let bad = 0;
    const t0 = cpu();
    for (let i = 0; i < n; i++) if (!(await prova.verify(env, opts)).valid) bad++;
    const dt = cpu() - t0;
    if (bad) throw new Error(`${bad} prova verifications failed`);
    return dt;
  };
  const runRaw = async () => {
    let bad = 0;
    const t0 = cpu();
    for (let i = 0; i < n; i++) if (!crypto.verify(null, msg, keyObject, sig)) bad++;
    const dt = cpu() - t0;
    if (bad) throw new Error(`${bad} raw verifications failed`);
    return dt;
  };
  const v = await prova.Verifier.create(opts);
  if ((await v.verify(env)).toJSONString() !== first.toJSONString()) throw new Error('Verifier: another report');
  const runVerifier = async () => {
    let bad = 0;
    const t0 = cpu();
    for (let i = 0; i < n; i++) if (!(await v.verify(env)).valid) bad++;
    const dt = cpu() - t0;
    if (bad) throw new Error(`${bad} Verifier verifications failed`);
    return dt;
  };
  await runProva(); // warm-up (JIT, the JWKS cache), untimed
  await runVerifier();
  await runRaw();
  const tp = [], tr = [], tv = [];
  const runs = [async () => tp.push(await runProva()), async () => tr.push(await runRaw()),
    async () => tv.push(await runVerifier())];
  for (let k = 0; k < rounds; k++) {
    for (let j = 0; j < 3; j++) await runs[(k + j) % 3]();
  }
  const rs = tp.map((x, i) => tr[i] / x);
  const rv = tv.map((x, i) => tr[i] / x);
  console.log(`envelope n=${n} rounds=${rounds} prova_eps=${(n / median(tp)).toFixed(1)} ` +
    `prova_min=${(n / Math.max(...tp)).toFixed(1)} prova_max=${(n / Math.min(...tp)).toFixed(1)} ` +
    `raw_eps=${(n / median(tr)).toFixed(1)} raw_min=${(n / Math.max(...tr)).toFixed(1)} ` +
    `raw_max=${(n / Math.min(...tr)).toFixed(1)} ratio=${median(rs).toFixed(4)} ` +
    `ratio_min=${Math.min(...rs).toFixed(4)} ratio_max=${Math.max(...rs).toFixed(4)} ` +
    `verifier_eps=${(n / median(tv)).toFixed(1)} verifier_min=${(n / Math.max(...tv)).toFixed(1)} ` +
    `verifier_max=${(n / Math.min(...tv)).toFixed(1)} verifier_ratio=${median(rv).toFixed(4)} ` +
    `verifier_ratio_min=${Math.min(...rv).toFixed(4)} verifier_ratio_max=${Math.max(...rv).toFixed(4)}`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === 'jcs' && args.length >= 2) {
  benchJcs(Number(args[0]), args.slice(1));
} else if (cmd === 'envelope' && args.length === 3) {
  await benchEnvelope(Number(args[0]), Number(args[1]), args[2]);
} else {
  console.error('usage: node bench/js_bench.mjs jcs ROUNDS FILE... | envelope N ROUNDS DIR');
  process.exit(2);
}
