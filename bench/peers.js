'use strict';
// Node peers timed by bench/run.sh (no dependencies).
//
//   node peers.js canon FILE
//       Reads FILE, JSON.parse()s it and writes its RFC 8785 (JCS) form to stdout: object keys sorted with
//       Array.prototype.sort (UTF-16 code unit order), scalars written with JSON.stringify (ECMAScript
//       Number::toString for numbers, the well-formed JSON.stringify escapes for strings). This is the usual
//       JavaScript JCS canonicalizer (the shape of the `canonicalize` npm package); OpenExecution peers run it.
//
//   node peers.js string RUNS FILE...
//       Each FILE holds raw little-endian doubles (written by bench_doubles --dump). Times a loop of String(x)
//       over them -- the formatting only; every result's length is summed so the loop cannot be optimized away --
//       best of RUNS, and prints "<file> n=<count> best_s=<seconds> chars=<total length>" per file.
const fs = require('fs');

function serialize(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) {
      if (i) s += ',';
      s += serialize(v[i]);
    }
    return s + ']';
  }
  const keys = Object.keys(v).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i) s += ',';
    s += JSON.stringify(keys[i]) + ':' + serialize(v[keys[i]]);
  }
  return s + '}';
}

function canon(path) {
  const doc = JSON.parse(fs.readFileSync(path, 'utf8'));
  const out = Buffer.from(serialize(doc), 'utf8');
  let off = 0;
  while (off < out.length) off += fs.writeSync(1, out, off, out.length - off);
}

function benchString(runs, paths) {
  for (const path of paths) {
    const buf = fs.readFileSync(path);
    const xs = new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    let best = Infinity;
    let chars = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint();
      let total = 0;
      for (let i = 0; i < xs.length; i++) total += String(xs[i]).length;
      const dt = Number(process.hrtime.bigint() - t0) / 1e9;
      if (dt < best) best = dt;
      chars = total;
    }
    console.log(`${path} n=${xs.length} best_s=${best.toFixed(6)} chars=${chars}`);
  }
}

const argv = process.argv.slice(2);
if (argv.length === 2 && argv[0] === 'canon') {
  canon(argv[1]);
} else if (argv.length >= 3 && argv[0] === 'string') {
  benchString(parseInt(argv[1], 10), argv.slice(2));
} else {
  process.stderr.write('usage: node peers.js canon FILE | node peers.js string RUNS FILE...\n');
  process.exit(2);
}
