// Reference for tests/diff/doubles_diff.py: reads doubles as 16-hex-digit IEEE-754 bit patterns, one per line,
// on stdin and prints String(x) (ECMAScript Number::toString) for each, one per line.
// Usage: node tests/diff/doubles_diff.js < bits.txt
'use strict';

const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const text = Buffer.concat(chunks).toString('ascii');
  const view = new DataView(new ArrayBuffer(8));
  const out = [];
  for (const line of text.split('\n')) {
    const h = line.trim();
    if (h === '') continue;
    if (!/^[0-9a-fA-F]{16}$/.test(h)) {
      process.stderr.write('doubles_diff.js: bad line: ' + h + '\n');
      process.exit(2);
    }
    view.setBigUint64(0, BigInt('0x' + h));
    out.push(String(view.getFloat64(0)));
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
});
