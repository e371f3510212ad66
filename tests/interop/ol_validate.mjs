// Validates OpenLineage RunEvents (JSON Lines: files given as arguments, or stdin) against the official
// OpenLineage 2-0-2 JSON Schema and the facet schemas, with ajv's JSON Schema 2020-12 validator and ajv-formats
// (uri, uuid, date-time are checked). Facets are checked by name against the facet schemas of their kind: each
// facet schema file describes a facets object ({"dataSource": ...}), so a run's / job's / dataset's facets object
// is validated against every schema of that kind.
//
// Schemas: $PROVA_OL_SCHEMAS, default ../data/openlineage relative to this file (tests/data/openlineage, a copy of
// ../shared/schemas/openlineage). Prints "N events valid" or one line per error; exit 0 valid, 1 invalid, 2 usage.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.env.PROVA_OL_SCHEMAS || path.resolve(here, '../data/openlineage');
const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false }); // the official schema is not
// ajv-strict clean (a "required" inside "not"); strictSchema stays on, so an unknown format would be an error.
ajv.addKeyword('example');
addFormats(ajv);

const core = JSON.parse(readFileSync(path.join(dir, 'OpenLineage.json'), 'utf8'));
ajv.addSchema(core);
const runEvent = ajv.getSchema(core.$id + '#/$defs/RunEvent');
const kinds = { run: [], job: [], dataset: [] };
for (const f of readdirSync(path.join(dir, 'facets')).filter((n) => n.endsWith('.json')).sort()) {
  const s = JSON.parse(readFileSync(path.join(dir, 'facets', f), 'utf8'));
  ajv.addSchema(s);
  const text = JSON.stringify(s);
  const kind = text.includes('#/$defs/RunFacet"') ? 'run' : text.includes('#/$defs/JobFacet"') ? 'job' : 'dataset';
  kinds[kind].push({ name: f, validate: ajv.getSchema(s.$id) });
}
if (!kinds.run.length || !kinds.job.length || !kinds.dataset.length) {
  console.error(`ol_validate: facet schemas missing in ${dir}/facets`);
  process.exit(2);
}

const files = process.argv.slice(2);
const texts = files.length ? files.map((f) => [f, readFileSync(f === '-' ? 0 : f, 'utf8')]) : [['-', readFileSync(0, 'utf8')]];
let n = 0;
let bad = 0;
const report = (where, errors) => {
  bad++;
  for (const e of errors) console.log(`${where}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
};
for (const [file, text] of texts) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    let ev;
    try {
      ev = JSON.parse(line);
    } catch (e) {
      report(where, [{ instancePath: '', message: `not JSON: ${e.message}`, params: {} }]);
      return;
    }
    n++;
    if (!runEvent(ev)) report(where, runEvent.errors);
    const check = (facets, kind, at) => {
      if (facets === undefined) return;
      for (const { name, validate } of kinds[kind])
        if (!validate(facets)) report(`${where} ${at} (${name})`, validate.errors);
    };
    check(ev.run?.facets, 'run', '/run/facets');
    check(ev.job?.facets, 'job', '/job/facets');
    for (const io of ['inputs', 'outputs'])
      (ev[io] || []).forEach((d, k) => check(d.facets, 'dataset', `/${io}/${k}/facets`));
  });
}
if (n === 0) {
  console.log('ol_validate: no events');
  process.exit(1);
}
console.log(bad ? `${bad} invalid of ${n} events` : `${n} events valid`);
process.exit(bad ? 1 : 0);
