// Runs the package's conformance runner (test/conformance-runner.mjs) over ../../conformance as a node test: every
// case must pass, except those that fail only with the code `unsupported` (a family whose verifier is not in this
// package yet: listed as a diagnostic, never silently). A `skip` is allowed only for `requires` the runtime lacks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const conf = fileURLToPath(new URL('../../../conformance/', import.meta.url));
const runner = fileURLToPath(new URL('./conformance-runner.mjs', import.meta.url));

test('conformance suite through the package runner', (t) => {
  if (!existsSync(conf + 'fixtures')) return t.skip('no fixtures');
  let out;
  try {
    out = execFileSync(process.execPath, [runner, conf], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    if (e.status !== 1) throw e;
    out = e.stdout;
  }
  const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const per = {};
  const wrong = [];
  const unsupported = [];
  for (const l of lines) {
    const file = l.id.split('/').slice(0, l.id.startsWith('verify/') ? 2 : 1).join('/');
    per[file] ??= { pass: 0, fail: 0, skip: 0 };
    per[file][l.result]++;
    if (l.result === 'fail') {
      if (l.got?.failed?.length === 1 && l.got.failed[0] === 'unsupported') unsupported.push(l.id);
      else wrong.push(l);
    }
    if (l.result === 'skip') assert.match(l.note ?? '', /Ed448/, `${l.id}: a skip must name a missing feature`);
  }
  for (const [f, c] of Object.entries(per)) t.diagnostic(`${f}: ${c.pass} pass, ${c.fail} fail, ${c.skip} skip`);
  if (unsupported.length) t.diagnostic(`${unsupported.length} cases of a family not verified here yet (unsupported)`);
  assert.ok(lines.length > 500, 'the runner reported every case');
  assert.deepEqual(wrong, []);
});
