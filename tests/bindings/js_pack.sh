#!/usr/bin/env bash
# The TypeScript package as a user gets it: `npm pack` of bindings/js (built first), installed offline into a fresh
# project (it has no runtime dependencies, so nothing is fetched), then imported and used from Node: canonical
# bytes and the verdicts on an envelope made by the C CLI, valid and tampered, must be the C library's.
#   js_pack.sh PROVA_CLI BINDINGS_JS_DIR
set -euo pipefail
prova=$(realpath "$1")
js=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$js" && npm run --silent build >/dev/null && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/*.tgz)
echo "packed $(basename "$tarball") ($(stat -c %s "$tarball") bytes): $(tar -tzf "$tarball" | wc -l) files"
if tar -tzf "$tarball" | grep -E '^package/(src|test|node_modules)/'; then
  echo "FAIL: the tarball carries sources, tests or node_modules" >&2
  exit 1
fi

mkdir "$work/app"
cd "$work/app"
echo '{"name":"app","version":"1.0.0","private":true,"type":"module"}' >package.json
npm install --offline --no-audit --no-fund --ignore-scripts "$tarball" >/dev/null
[ -z "$(ls node_modules | grep -v -e '^@prova$' -e '^\.package-lock\.json$')" ] ||
  { echo "FAIL: installing the package pulled other packages: $(ls node_modules)" >&2; exit 1; }

"$prova" keygen --out agent.key >/dev/null
"$prova" jwks agent.key >agent.jwks
echo '{"tool":"search","args":{"q":"weather","n":2,"p":0.25}}' |
  "$prova" pack --key agent.key --payload-type agent.tool_call --target-type tool.result --trace-id t - >env.json
sed 's/weather/whether/' env.json >env-t.json
"$prova" canon --profile jcs env.json >env.jcs
for f in env.json env-t.json; do
  "$prova" verify --json --jwks agent.jwks "$f" >"$f.report" || true
done

cat >check.mjs <<'JS'
import { readFileSync } from 'node:fs';
import * as prova from '@prova/prova';
const read = (f) => readFileSync(f, 'utf8');
const codes = (r) => [...new Set(r.checks.filter((c) => !c.ok).map((c) => c.code))].sort().join(',');
let bad = 0;
const jcs = new TextDecoder().decode(prova.canonicalizeText(read('env.json'), 'jcs'));
if (jcs !== read('env.jcs')) { console.error('FAIL: jcs bytes differ from the C library'); bad++; }
for (const f of ['env.json', 'env-t.json']) {
  const want = JSON.parse(read(f + '.report'));
  const got = await prova.verify(read(f), { jwks: read('agent.jwks') });
  const ok = got.valid === want.valid && got.outcome === want.outcome && got.kind === want.kind && codes(got) === codes(want);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${f}: ${got.outcome} [${codes(got)}] (C: ${want.outcome} [${codes(want)}])`);
  if (!ok) bad++;
}
process.exit(bad ? 1 : 0);
JS
node check.mjs
echo "js_pack: ok"
