// json.ts and canon.ts: JSONTestSuite, RFC 8785, plain-value rules, and byte-for-byte agreement with
// `prova canon --profile P` (PROVA_CLI) including the error's reason code, line, column and pointer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parse, canonicalize, canonicalizeText, canonicalString, float, JsonNumber, ProvaError } from '../dist/index.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const data = path.join(root, 'tests/data');
const cli = process.env.PROVA_CLI;
const suite = path.join(data, 'jsontestsuite');
const dec = (b) => Buffer.from(b).toString('latin1');

test('JSONTestSuite: y_ parse, n_ fail', () => {
  let y = 0, n = 0;
  for (const f of fs.readdirSync(suite)) {
    const b = fs.readFileSync(path.join(suite, f));
    // prova refuses duplicate member names by design (docs/canonical-json.md), the only y_ it refuses
    if (f.startsWith('y_') && /duplicate/.test(f)) { assert.throws(() => parse(b), { code: 'json_duplicate_key' }); continue; }
    if (f.startsWith('y_')) { parse(b); y++; }
    if (f.startsWith('n_')) { assert.throws(() => parse(b), ProvaError, f); n++; }
  }
  assert.ok(y > 90 && n > 180, `${y} ${n}`);
});

test('RFC 8785 vectors (jcs)', () => {
  const d = path.join(data, 'rfc8785');
  for (const f of fs.readdirSync(path.join(d, 'input'))) {
    assert.equal(dec(canonicalizeText(fs.readFileSync(path.join(d, 'input', f)), 'jcs')), dec(fs.readFileSync(path.join(d, 'output', f))), f);
  }
});

test('plain values: int/float distinction, bigint, -0, Python repr, escaping', () => {
  assert.equal(canonicalString({ b: 1, a: float(1), c: 1.5, d: -0, e: 10n ** 30n }, 'ope'), '{"a":1.0,"b":1,"c":1.5,"d":0,"e":1000000000000000000000000000000}');
  assert.equal(canonicalString({ b: 1, a: float(1), e: 10n ** 30n }, 'jcs'), '{"a":1,"b":1,"e":1e+30}');
  assert.equal(canonicalString([float(1e16), float(1e-5), float(1e-4), float(123456789.125), float(-0)], 'ope'), '[1e+16,1e-05,0.0001,123456789.125,-0.0]');
  assert.equal(canonicalString(['é\u007f\ud83d\ude00'], 'ophamin'), '["\\u00e9\\u007f\\ud83d\\ude00"]');
  assert.equal(canonicalString(['\ud800'], 'ophamin'), '["\\ud800"]');
  assert.throws(() => canonicalString(['\ud800'], 'ope'), { code: 'canon_lone_surrogate' });
  assert.throws(() => canonicalString([NaN], 'jcs'), { code: 'canon_nonfinite' });
  assert.equal(canonicalString([NaN, -Infinity], 'ophamin'), '[NaN,-Infinity]');
  // code point order (ope) vs UTF-16 order (jcs)
  assert.equal(canonicalString({ '\ud83d\ude00': 1, '\uffff': 2 }, 'ope'), '{"\uffff":2,"\ud83d\ude00":1}');
  assert.equal(canonicalString({ '\ud83d\ude00': 1, '\uffff': 2 }, 'jcs'), '{"\ud83d\ude00":1,"\uffff":2}');
  const p = parse('{"__proto__":{"x":1},"constructor":2}');
  assert.equal(Object.getPrototypeOf(p), null);
  assert.equal(canonicalString(p, 'ope'), '{"__proto__":{"x":1},"constructor":2}');
  // objects are built with Object.prototype and lose it at their close: its names are plain members all the same
  const q = parse('{"toString":1,"__proto__":null,"x":{"hasOwnProperty":{},"__defineGetter__":[]},"y":{}}');
  assert.deepEqual(Object.keys(q), ['toString', '__proto__', 'x', 'y']);
  for (const o of [q, q.x, q.x.hasOwnProperty, q.y]) assert.equal(Object.getPrototypeOf(o), null);
  assert.equal(q.__proto__, null);
  assert.equal(canonicalString(q, 'ope'), '{"__proto__":null,"toString":1,"x":{"__defineGetter__":[],"hasOwnProperty":{}},"y":{}}');
  const dup = (t) => { try { parse(t); } catch (x) { return [x.code, x.pointer]; } return null; };
  assert.deepEqual(dup('{"__proto__":null,"__proto__":1}'), ['json_duplicate_key', '/__proto__']);
  assert.deepEqual(dup('{"a":{"toString":1,"toString":2}}'), ['json_duplicate_key', '/a/toString']);
  assert.deepEqual(dup('{"constructor":{},"constructor":{}}'), ['json_duplicate_key', '/constructor']);
  assert.ok(parse('12345678901234567890123') instanceof JsonNumber);
});

test('parse errors: codes, offsets and pointers', () => {
  const e = (t) => { try { parse(t); } catch (x) { return [x.code, x.offset, x.pointer]; } return null; };
  assert.deepEqual(e('{"a":[1,{"b":1,"b":2}]}'), ['json_duplicate_key', 15, '/a/1/b']);
  assert.deepEqual(e(Buffer.from('["a",\xff]', 'latin1')), ['json_invalid_utf8', 5, '/1']);
  assert.deepEqual(e('[1,2'), ['json_truncated', 4, '/1']);
  assert.deepEqual(e('"\\ud800"'), ['json_lone_surrogate', 1, '']);
});

test('differential: prova canon on the suite and edge cases, all profiles', { skip: !cli }, () => {
  const files = fs.readdirSync(suite).map((f) => path.join(suite, f));
  const extra = ['1.0', '-0', '-0.0', '1e16', '9999999999999999', '123456789012345678901234567890', '1e400', '5e-324', '[1e21,1e-7]',
    '{"b":1,"a":2,"\uffff":3,"\ud83d\ude00":4,"\ue000":5}', '{"x":[{"a":1,"z":0,"a":2}]}', '"\\ud800"', '[Infinity,NaN]', '{"a/b~c":{"d":[tru]}}',
    '[1e-400,2.5e-308,0.30000000000000004,12345678901234567.0]'];
  extra.forEach((t, i) => { const f = path.join(fs.mkdtempSync('/tmp/pjs-'), `e${i}.json`); fs.writeFileSync(f, t); files.push(f); });
  let same = 0;
  for (const f of files) {
    for (const [p, nf] of [['ope', false], ['ophamin', false], ['ophamin', true], ['jcs', false]]) {
      let c, j;
      try {
        c = { out: dec(execFileSync(cli, ['canon', '--profile', p, ...(nf ? ['--allow-nonfinite'] : []), f], { stdio: ['ignore', 'pipe', 'pipe'] })) };
      } catch (x) {
        const m = /:(\d+):(\d+): .*\((\w+)\)(?: at (.*))?$/.exec(x.stderr.toString().trim());
        c = { err: m ? [m[3], m[4] ?? '', Number(m[1]), Number(m[2])] : x.stderr.toString() };
      }
      try {
        j = { out: dec(canonicalizeText(fs.readFileSync(f), p, { allowNonfinite: nf })) };
      } catch (x) {
        j = { err: [x.code, x.pointer ?? '', x.line, x.column] };
      }
      assert.deepEqual(j, c, `${f} ${p} ${nf}`);
      same++;
    }
  }
  assert.ok(same > 1000);
});

// The writer tracks no pointer on the way (speed); an error is located by a second pass: same code, with the
// JSON Pointer of the value.
test('canonicalize: errors name the JSON Pointer of the value', async () => {
  const { canonicalize, ProvaError } = await import('../dist/index.js');
  const cases = [
    [{ a: [1, NaN] }, 'ope', 'canon_nonfinite', '/a/1'],
    [{ b: { 'x/y': '\ud800' } }, 'jcs', 'canon_lone_surrogate', '/b/x~1y'],
    [[0, { 'm~': [Infinity] }], 'jcs', 'canon_nonfinite', '/1/m~0/0'],
  ];
  for (const [value, profile, code, pointer] of cases) {
    assert.throws(() => canonicalize(value, profile), (e) => e instanceof ProvaError && e.code === code && e.pointer === pointer);
  }
});
