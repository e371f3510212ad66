// Checks the OTLP requests tests/otel/encode_test.c wrote to DIR ({traces,logs,metrics}.{pb,json}) with protobufjs
// and the official .proto files (otlp_decode.mjs):
//  - each file follows OTLP's rules for its encoding, and protobuf and JSON decode to the same request (also
//    gzipped, as the exporter sends them);
//  - the values are encode_test.c's fixture: ids as hex, names, kinds, times as strings, every attribute type
//    (the negative int, INT64_MIN, bool false, -Infinity), events, links, status, log records with and without a
//    context, the metric types with temporality, monotonicity, histogram buckets and bounds, summary count and sum;
//  - the JSON has the shapes of the official examples (tests/data/otel/examples): the keys of a span, a log record,
//    a data point, a metric that the example has are there, with values of the same JSON type;
//  - the decoder itself: the official examples decode, and decode the same re-encoded as protobuf by protobufjs;
//    bodies that break a rule are refused (so the checks above can fail).
//   node encode_check.mjs DIR
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { decode, REQUEST } from './otlp_decode.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2];
if (!dir) {
  console.error('usage: node encode_check.mjs DIR');
  process.exit(2);
}
const EXAMPLES = path.resolve(here, '../data/otel/examples');
const PB = 'application/x-protobuf';
const JSONT = 'application/json';

let passed = 0;
let failed = 0;
function check(name, fn) {
  try {
    fn();
    passed++;
  } catch (e) {
    failed++;
    console.error(`FAIL ${name}: ${e.message.split('\n').slice(0, 12).join('\n')}`);
  }
}

// ---- Both encodings, the same request --------------------------------------------------------------------------------

const req = {};
const raw = {};
for (const signal of ['traces', 'logs', 'metrics']) {
  const pb = readFileSync(path.join(dir, `${signal}.pb`));
  const js = readFileSync(path.join(dir, `${signal}.json`));
  raw[signal] = JSON.parse(js.toString('utf8'));
  let a;
  let b;
  check(`${signal}: protobuf follows the rules`, () => { a = decode(signal, PB, undefined, pb); });
  check(`${signal}: JSON follows the rules`, () => { b = decode(signal, 'application/json; charset=utf-8', '', js); });
  check(`${signal}: protobuf and JSON are the same request`, () => assert.deepStrictEqual(b, a));
  check(`${signal}: gzipped, the same`, () => {
    assert.deepStrictEqual(decode(signal, PB, 'gzip', gzipSync(pb)), a);
    assert.deepStrictEqual(decode(signal, JSONT, 'gzip', gzipSync(js)), a);
  });
  req[signal] = a ?? b;
}

// ---- The values -------------------------------------------------------------------------------------------------

const T0 = 1544712660000000000n;
const t = (dns) => String(T0 + BigInt(dns));
const str = (k, v) => ({ key: k, value: { stringValue: v } });
const int = (k, v) => ({ key: k, value: { intValue: String(v) } });
const dbl = (k, v) => ({ key: k, value: { doubleValue: v } });
const bool = (k, v) => ({ key: k, value: { boolValue: v } });
const RESOURCE = { attributes: [str('service.name', 'prova'), str('service.version', '0.1.0'), int('process.pid', 4242), str('host.name', 'hôte')] };
const SCOPE = { name: 'prova', version: '0.1.0' };
const TRACE = '5b8efff798038103d269b633813fc60c';
const ROOT = 'eee19b7ec3c1b174';

check('traces: the values', () => {
  const rs = req.traces.resourceSpans;
  assert.equal(rs.length, 1);
  assert.deepStrictEqual(rs[0].resource, RESOURCE);
  assert.equal(rs[0].scopeSpans.length, 1);
  assert.deepStrictEqual(rs[0].scopeSpans[0].scope, SCOPE);
  const [server, child, client] = rs[0].scopeSpans[0].spans;
  assert.deepStrictEqual(server, {
    traceId: TRACE, spanId: ROOT, traceState: 'vendor=abc,other=1', flags: 1, name: 'POST /v1/ope', kind: 2,
    startTimeUnixNano: t(0), endTimeUnixNano: t(1500000),
    attributes: [str('http.request.method', 'POST'), int('http.response.status_code', 500), int('prova.negative', -42),
      int('prova.min', '-9223372036854775808'), dbl('prova.ratio', 0.1), bool('prova.cache_hit', false),
      bool('prova.verified', true), str('prova.note', 'café ✓ 😀 "quoted"\n'), str('prova.empty', ''),
      dbl('prova.neg_inf', '-Infinity')],
    droppedAttributesCount: 3,
    events: [
      { timeUnixNano: t(1000000), name: 'exception', attributes: [str('exception.type', 'prova.store'), str('exception.message', 'disk full — retry')] },
      { timeUnixNano: t(1200000), name: 'retry' },
    ],
    droppedEventsCount: 1,
    links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', flags: 1 }],
    status: { message: 'store failed — 503', code: 2 },
  });
  assert.deepStrictEqual(child, {
    traceId: TRACE, spanId: '0102030405060708', parentSpanId: ROOT, flags: 1, name: 'store.append', kind: 1,
    startTimeUnixNano: t(100000), endTimeUnixNano: t(900000), status: { code: 1 },
  });
  assert.deepStrictEqual(client, {
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'ff00abcd00000001', name: 'witness.add-checkpoint', kind: 3,
    startTimeUnixNano: t(2000000), endTimeUnixNano: t(2000001),
  });
});

check('logs: the values', () => {
  const rl = req.logs.resourceLogs;
  assert.equal(rl.length, 1);
  assert.deepStrictEqual(rl[0].resource, RESOURCE);
  assert.deepStrictEqual(rl[0].scopeLogs[0].scope, SCOPE);
  assert.deepStrictEqual(rl[0].scopeLogs[0].logRecords, [
    {
      timeUnixNano: t(300000000), observedTimeUnixNano: t(300000001), severityNumber: 9, severityText: 'INFO',
      eventName: 'prova.access', body: { stringValue: 'POST /v1/ope 500 — 1.5 ms' },
      attributes: [str('http.route', '/v1/ope'), int('http.response.status_code', 500), int('prova.bytes', -1),
        bool('prova.tls', false), dbl('prova.duration_s', 0.0015)],
      droppedAttributesCount: 2, flags: 1, traceId: TRACE, spanId: ROOT,
    },
    { observedTimeUnixNano: t(400000000), severityNumber: 17, severityText: 'ERROR', body: { stringValue: '' } },
    { timeUnixNano: t(500000000), observedTimeUnixNano: t(500000000), severityNumber: 13, severityText: 'WARN', attributes: [str('prova.queue', 'logs')] },
  ]);
});

check('metrics: the values', () => {
  const rm = req.metrics.resourceMetrics;
  assert.equal(rm.length, 1);
  assert.deepStrictEqual(rm[0].resource, RESOURCE);
  assert.deepStrictEqual(rm[0].scopeMetrics[0].scope, SCOPE);
  const start = t(-60000000000);
  const now = t(0);
  assert.deepStrictEqual(rm[0].scopeMetrics[0].metrics, [
    {
      name: 'prova_requests_total', description: 'Requests answered.', unit: '{request}',
      sum: {
        aggregationTemporality: 2, isMonotonic: true,
        dataPoints: [
          { attributes: [str('route', '/v1/ope'), str('code', '200')], startTimeUnixNano: start, timeUnixNano: now, asInt: '12' },
          { attributes: [str('route', '/v1/oe'), str('code', '500')], startTimeUnixNano: start, timeUnixNano: now, asInt: '0' },
        ],
      },
    },
    {
      name: 'prova_queue_length', description: 'Records queued.', unit: '{record}',
      gauge: { dataPoints: [
        { attributes: [str('signal', 'traces')], timeUnixNano: now, asInt: '5' },
        { attributes: [str('signal', 'logs')], timeUnixNano: now, asInt: '-3' },
      ] },
    },
    {
      name: 'process_cpu_ratio', description: 'CPU use.', unit: '1',
      gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 0.25 }, { attributes: [str('kind', 'nan')], timeUnixNano: now, asDouble: 'NaN' }] },
    },
    {
      name: 'prova_request_duration_seconds', description: 'Time to answer.', unit: 's',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: [
          { attributes: [str('route', '/v1/ope')], startTimeUnixNano: start, timeUnixNano: now, count: '11', sum: 12.5,
            bucketCounts: ['1', '2', '0', '3', '4', '1'], explicitBounds: [0.005, 0.01, 0.1, 1, 10] },
          { attributes: [str('route', '/v1/oe')], startTimeUnixNano: start, timeUnixNano: now, sum: 0,
            bucketCounts: ['0', '0', '0', '0', '0', '0'], explicitBounds: [0.005, 0.01, 0.1, 1, 10] },
        ],
      },
    },
    {
      name: 'prova_gc_seconds', description: 'Store checkpoints.', unit: 's',
      summary: { dataPoints: [{ attributes: [str('store', 'dépôt')], startTimeUnixNano: start, timeUnixNano: now, count: '7', sum: 0.75 }] },
    },
    { name: 'prova_build_info', gauge: { dataPoints: [{ attributes: [str('version', '0.1.0')], timeUnixNano: now, asInt: '1' }] } },
  ]);
});

// The JSON as written, beyond what the normalized objects show: a span always has its six members, even when a
// default (the client span has no flags, status, attributes); the gauges' points have no start time.
check('traces JSON: the members every span has', () => {
  for (const s of raw.traces.resourceSpans[0].scopeSpans[0].spans) {
    for (const k of ['traceId', 'spanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano']) assert.ok(k in s, `${s.name}: ${k}`);
  }
});

// ---- The shapes of the official examples --------------------------------------------------------------------------

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
// The example's keys (less those prova never writes, or this object has no value for) are in ours, each value of the
// same JSON type.
function sameShape(what, ours, example, notWritten = []) {
  for (const [k, v] of Object.entries(example)) {
    if (notWritten.includes(k)) continue;
    assert.ok(k in ours, `${what}: the example has "${k}", prova's has not (it has ${Object.keys(ours).join(', ')})`);
    assert.equal(typeOf(ours[k]), typeOf(v), `${what}.${k}: ${typeOf(ours[k])}, the example ${typeOf(v)}`);
  }
}
const ex = (name) => JSON.parse(readFileSync(path.join(EXAMPLES, `${name}.json`), 'utf8'));

check('JSON shapes: traces as trace.json', () => {
  const e = ex('trace').resourceSpans[0];
  const o = raw.traces.resourceSpans[0];
  sameShape('resourceSpans[0]', o, e);
  sameShape('resource', o.resource, e.resource);
  sameShape('resource attribute', o.resource.attributes[0], e.resource.attributes[0]);
  sameShape('scopeSpans[0]', o.scopeSpans[0], e.scopeSpans[0]);
  sameShape('scope', o.scopeSpans[0].scope, e.scopeSpans[0].scope, ['attributes']);
  sameShape('span', o.scopeSpans[0].spans[1], e.scopeSpans[0].spans[0], ['attributes']); // the child
  sameShape('span', o.scopeSpans[0].spans[0], e.scopeSpans[0].spans[0], ['parentSpanId']); // the root
});

check('JSON shapes: logs as logs.json and events.json', () => {
  const e = ex('logs').resourceLogs[0];
  const o = raw.logs.resourceLogs[0];
  sameShape('resourceLogs[0]', o, e);
  sameShape('scopeLogs[0]', o.scopeLogs[0], e.scopeLogs[0]);
  const rec = o.scopeLogs[0].logRecords[0];
  sameShape('logRecord', rec, e.scopeLogs[0].logRecords[0]);
  for (const [i, a] of rec.attributes.entries()) {
    const same = e.scopeLogs[0].logRecords[0].attributes.find((x) => Object.keys(x.value)[0] === Object.keys(a.value)[0]);
    assert.ok(same, `attribute ${a.key}: no example of ${Object.keys(a.value)[0]}`);
    sameShape(`logRecord.attributes[${i}]`, a, same);
    sameShape(`logRecord.attributes[${i}].value`, a.value, same.value);
  }
  sameShape('event logRecord', rec, ex('events').resourceLogs[0].scopeLogs[0].logRecords[0], ['body']);
});

check('JSON shapes: metrics as metrics.json', () => {
  const e = ex('metrics').resourceMetrics[0];
  const o = raw.metrics.resourceMetrics[0];
  sameShape('resourceMetrics[0]', o, e);
  sameShape('scopeMetrics[0]', o.scopeMetrics[0], e.scopeMetrics[0]);
  const [eSum, eGauge, eHist] = e.scopeMetrics[0].metrics;
  const [counter, , dgauge, hist] = o.scopeMetrics[0].metrics;
  sameShape('counter', counter, eSum);
  sameShape('counter sum', counter.sum, eSum.sum);
  sameShape('counter point', counter.sum.dataPoints[0], eSum.sum.dataPoints[0], ['asDouble']);
  sameShape('double gauge', dgauge, eGauge);
  sameShape('double gauge point', dgauge.gauge.dataPoints[0], eGauge.gauge.dataPoints[0], ['attributes']);
  sameShape('labelled gauge point', dgauge.gauge.dataPoints[1], eGauge.gauge.dataPoints[0], ['asDouble']); // NaN
  assert.ok(!('startTimeUnixNano' in dgauge.gauge.dataPoints[0]), 'a gauge point has no start time');
  sameShape('histogram', hist, eHist);
  sameShape('histogram', hist.histogram, eHist.histogram);
  sameShape('histogram point', hist.histogram.dataPoints[0], eHist.histogram.dataPoints[0], ['min', 'max']);
});

// ---- The decoder, on the official examples and on bodies it must refuse ---------------------------------------------

for (const [signal, name] of [['traces', 'trace'], ['logs', 'logs'], ['logs', 'events'], ['metrics', 'metrics']]) {
  check(`decoder: examples/${name}.json decodes, and so does protobufjs's protobuf of it`, () => {
    const body = readFileSync(path.join(EXAMPLES, `${name}.json`));
    const a = decode(signal, JSONT, '', body, { strict: false });
    const type = REQUEST[signal];
    // the example through protobufjs alone: ids hex to base64 by hand, fromObject, encode
    const obj = JSON.parse(body.toString('utf8'), (k, v) => (['traceId', 'spanId', 'parentSpanId'].includes(k) ? Buffer.from(v, 'hex').toString('base64') : v));
    const pb = type.encode(type.fromObject(obj)).finish();
    assert.deepStrictEqual(decode(signal, PB, '', pb), a);
    if (signal === 'traces') {
      const s = a.resourceSpans[0].scopeSpans[0].spans[0];
      assert.equal(s.traceId, '5b8efff798038103d269b633813fc60c');
      assert.equal(s.startTimeUnixNano, '1544712660000000000');
      assert.equal(s.kind, 2);
    }
    if (name === 'metrics') {
      const h = a.resourceMetrics[0].scopeMetrics[0].metrics[2].histogram;
      assert.deepStrictEqual([h.dataPoints[0].bucketCounts, h.dataPoints[0].explicitBounds, h.aggregationTemporality], [['1', '1'], [1], 1]);
    }
  });
}

// Each edit of our JSON breaks one rule; the decoder must say so.
const refusals = [
  ['an uppercase id', (o) => { const s = o.resourceSpans[0].scopeSpans[0].spans[0]; s.traceId = s.traceId.toUpperCase(); }, /lowercase hex/],
  ['a short span id', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].spanId = 'eee19b7e'; }, /16 lowercase hex/],
  ['a base64 id', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].traceId = 'W47/95gDgQPSabYzgT/GDA=='; }, /hex digits/],
  ['a time as a number', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano = 1544712660000000000; }, /decimal string/],
  ['intValue as a number', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].attributes[1].value = { intValue: 500 }; }, /decimal string/],
  ['a kind by name', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].kind = 'SPAN_KIND_SERVER'; }, /integer/],
  ['a snake_case key', (o) => { const s = o.resourceSpans[0].scopeSpans[0].spans[0]; s.start_time_unix_nano = s.startTimeUnixNano; delete s.startTimeUnixNano; }, /lowerCamelCase/],
  ['an unknown key', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].duration = 5; }, /no field "duration"/],
  ['two oneof members', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue = '1'; }, /oneof/],
  ['a double as a string', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].attributes[4].value.doubleValue = '0.1'; }, /number/],
  ['a leading zero', (o) => { o.resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano = '01544712660001500000'; }, /decimal string/],
];
for (const [what, edit, re] of refusals) {
  check(`decoder refuses ${what}`, () => {
    const o = structuredClone(raw.traces);
    edit(o);
    assert.throws(() => decode('traces', JSONT, '', Buffer.from(JSON.stringify(o))), re);
  });
}
check('decoder refuses protobuf with an unknown field, a truncated body, bad headers', () => {
  const pb = readFileSync(path.join(dir, 'traces.pb'));
  assert.throws(() => decode('traces', PB, '', Buffer.concat([pb, Buffer.from([0xc8, 0x06, 0x01])])), /re-encoded/); // field 105
  assert.throws(() => decode('traces', PB, '', pb.subarray(0, pb.length - 3)), /well-formed/);
  assert.throws(() => decode('traces', 'text/plain', '', pb), /Content-Type/);
  assert.throws(() => decode('traces', PB, 'br', pb), /Content-Encoding/);
  assert.throws(() => decode('traces', PB, 'gzip', pb), /gunzip/);
  assert.throws(() => decode('traces', JSONT, '', Buffer.from([0x7b, 0xff, 0x7d])), /UTF-8/);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
