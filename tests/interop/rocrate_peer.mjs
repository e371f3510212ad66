// The ro-crate npm package (3.7.2) as a peer of `prova export --to ro-crate`: it loads the crate's metadata, finds
// the root dataset and, through mainEntity and hasPart, the record file; the record file's bytes are checked
// against the File entity (sha256 with Node's crypto, contentSize) when the entity states them.
//   node rocrate_peer.mjs CRATE_DIR RECORD_NAME
// Prints one JSON line (what was found) and exits 0 when every check holds, 1 otherwise (the failures on stderr).
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { ROCrate } = require('ro-crate');
const { Validator } = require('ro-crate/lib/validator.js');

const [dir, want] = process.argv.slice(2);
if (!dir || !want) {
  console.error('usage: node rocrate_peer.mjs CRATE_DIR RECORD_NAME');
  process.exit(2);
}
const problems = [];
const check = (cond, what) => { if (!cond) problems.push(what); };

const json = JSON.parse(readFileSync(join(dir, 'ro-crate-metadata.json'), 'utf8'));
const crate = new ROCrate(json, { array: true, link: true }); // throws when there is no root dataset
const ids = (v) => (v || []).map((e) => e && e['@id']);
const descriptor = crate.descriptor;
check(descriptor && descriptor['@id'] === 'ro-crate-metadata.json', 'no metadata descriptor');
check(ids(descriptor?.conformsTo).includes('https://w3id.org/ro/crate/1.2'), 'descriptor does not conform to 1.2');
check(json['@context'] === 'https://w3id.org/ro/crate/1.2/context', 'context is not RO-Crate 1.2');
const root = crate.rootDataset;
check(root && root['@id'] === './', 'root dataset is not ./');
check(root && root['@type'].includes('Dataset'), 'root is not a Dataset');
check(ids(root?.conformsTo).includes('https://w3id.org/ro/crate/1.2'), 'root does not conform to 1.2');
const main = root?.mainEntity?.[0];
check(main && main['@id'] === want, `mainEntity is ${main && main['@id']}, not ${want}`);
check(main && main['@type'].includes('File'), 'the record entity is not a File');
check(ids(root?.hasPart).includes(want), 'hasPart lacks the record');
const record = crate.getEntity(want);
check(record && record.encodingFormat?.[0]?.startsWith('application/json'), 'the record is not application/json');
const path = join(dir, want);
check(existsSync(path), `${want} is not in the crate`);
let sha256 = null;
if (existsSync(path)) {
  const bytes = readFileSync(path);
  sha256 = createHash('sha256').update(bytes).digest('hex');
  if (record?.sha256) check(record.sha256[0] === sha256, 'sha256 of the record file differs');
  if (record?.contentSize) check(record.contentSize[0] === String(bytes.length), 'contentSize differs');
}
// Every reference inside the graph resolves to an entity of the graph, except conformsTo (specifications) and
// isBasedOn (a proof's ancestors, which live in their own crates).
const local = new Set(json['@graph'].map((e) => e['@id']));
for (const e of json['@graph'])
  for (const [k, v] of Object.entries(e))
    for (const x of [].concat(v))
      if (x && typeof x === 'object' && typeof x['@id'] === 'string' && k !== 'conformsTo' && k !== 'isBasedOn')
        check(local.has(x['@id']), `${e['@id']}.${k} -> ${x['@id']} is not in the graph`);
// The package's validator, offline part (the root data entity's required properties).
const v = new Validator(crate);
v.rootDataEntity();
const errors = v.results.filter((r) => r.status === 'error').map((r) => r.id);

console.log(JSON.stringify({
  root: root?.['@id'], rootName: root?.name?.[0], record: main?.['@id'], recordTypes: main?.['@type'],
  identifier: record?.identifier?.[0], sha256, entities: [...local], validatorErrors: errors,
}));
if (problems.length) {
  for (const p of problems) console.error('rocrate_peer: ' + p);
  process.exit(1);
}
