// An independent JCS (RFC 8785) over JSON.stringify, as the OpenExecution SDKs and the RFC's own
// reference implementation do it: keys sorted by UTF-16 code units (Array.prototype.sort), numbers by
// Number.prototype.toString (via JSON.stringify), strings by JSON.stringify.
// stdin: a JSON array of JSON texts. stdout: a JSON array of the hex of each canonical form (UTF-8).
'use strict';

function canonicalize(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonicalize).join(',') + ']';
  return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + canonicalize(v[k])).join(',') + '}';
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const texts = JSON.parse(input);
  const out = texts.map((t) => Buffer.from(canonicalize(JSON.parse(t)), 'utf8').toString('hex'));
  process.stdout.write(JSON.stringify(out));
});
