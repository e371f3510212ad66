// OTLP/HTTP request bodies, decoded and checked with a real protobuf implementation (protobufjs, tests/package.json)
// and the official opentelemetry-proto .proto files (tests/data/otel/opentelemetry/proto, or $PROVA_OTLP_PROTO: the
// folder holding opentelemetry/proto).
//
//   import { decode } from './otlp_decode.mjs';
//   const req = decode('traces', 'application/x-protobuf', 'gzip', body);   // or 'application/json'
//
// decode() returns the request as a plain object in the OTLP JSON shape, the same whichever encoding the body was
// in: lowerCamelCase keys, trace and span ids as lowercase hex, enums as integers, 64-bit integers as decimal
// strings, doubles as numbers (NaN, Infinity, -Infinity as those strings), other bytes as base64; a field equal to
// its proto3 default (0, "", false, []) is left out unless it is a oneof member or an `optional` field, whose
// presence means something (AnyValue's boolValue false, NumberDataPoint's asInt 0, HistogramDataPoint's sum 0).
// So protobuf and JSON bodies of the same data decode to deep-equal objects.
//
// It throws an Error with a clear message when the body does not follow the rules:
//  - Content-Encoding gzip (gunzipped first), identity or none; Content-Type application/x-protobuf or
//    application/json (parameters ignored);
//  - protobuf: well-formed for the request type, every field known (the message re-encoded has the body's length:
//    no unknown field, no repeated scalar, no padded varint), ids of 16 and 8 bytes;
//  - JSON (OTLP/HTTP, opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding): UTF-8, an object whose keys are all
//    field names in lowerCamelCase, traceId/spanId/parentSpanId as hex strings of 32/16 digits, enums as integers,
//    64-bit integers as decimal strings, 32-bit ones as numbers, doubles as numbers (or "NaN", "Infinity",
//    "-Infinity"), bools as booleans, one member per oneof; and protobufjs's Type.fromObject of it (ids turned to
//    bytes) reproduces it exactly once defaults are left out, so nothing in it was ignored or reinterpreted.
// options.strict (default true) is for prova's own output: ids must be lowercase and present ids non-empty; the
// specification lets receivers take ids in either case, and the official examples use uppercase, so they are
// decoded with { strict: false }. Beyond that, strict and lenient apply the same rules.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import protobuf from 'protobufjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PROTO_ROOT = process.env.PROVA_OTLP_PROTO || path.resolve(here, '../data/otel');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_ROOT, target));
root.loadSync(['traces', 'logs', 'metrics'].map((s) => `opentelemetry/proto/collector/${s === 'traces' ? 'trace' : s}/v1/${s === 'traces' ? 'trace' : s}_service.proto`));
root.resolveAll();

// The request message of each signal.
export const REQUEST = {
  traces: root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest'),
  logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
  metrics: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
};
export { root };

// The bytes fields that OTLP JSON writes as hex, and their lengths in bytes.
const ID_BYTES = { traceId: 16, spanId: 8, parentSpanId: 8 };
const isId = (field) => field.type === 'bytes' && !field.repeated && field.name in ID_BYTES;

const INT64 = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT32 = { int32: [-(2 ** 31), 2 ** 31 - 1], sint32: [-(2 ** 31), 2 ** 31 - 1], sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1], fixed32: [0, 2 ** 32 - 1] };

const TO_OBJECT = { longs: String, enums: Number, bytes: String, json: true, defaults: false };

function fail(where, what) {
  throw new Error(`OTLP ${where}: ${what}`);
}

// ---- Normalizing: the object of a decoded message ---------------------------------------------------------------

function isDefault(field, v) {
  if (field.partOf) return false; // a oneof member or an `optional` field (a synthetic oneof): present means set
  if (field.repeated) return Array.isArray(v) && v.length === 0;
  if (field.resolvedType instanceof protobuf.Type) return false; // a message's presence is kept
  return v === 0 || v === '0' || v === '' || v === false;
}

// Leaves out default values and turns the ids (base64 from toObject) into lowercase hex, recursively, in place.
function tidy(type, obj) {
  for (const key of Object.keys(obj)) {
    const field = type.fields[key];
    const v = obj[key];
    if (!field || v === null || v === undefined || isDefault(field, v)) {
      delete obj[key];
      continue;
    }
    if (field.resolvedType instanceof protobuf.Type) {
      if (field.repeated) v.forEach((e) => tidy(field.resolvedType, e));
      else tidy(field.resolvedType, v);
    } else if (isId(field)) {
      obj[key] = Buffer.from(v, 'base64').toString('hex');
    }
  }
  return obj;
}

// The normalized object of a protobufjs message of type.
export function normalize(type, message) {
  return tidy(type, type.toObject(message, TO_OBJECT));
}

// ---- Protobuf ----------------------------------------------------------------------------------------------------

function checkIds(type, msg, where, strict) {
  for (const field of type.fieldsArray) {
    const v = msg[field.name];
    if (v === undefined || v === null || !Object.prototype.hasOwnProperty.call(msg, field.name)) continue;
    if (field.resolvedType instanceof protobuf.Type) {
      if (field.repeated) v.forEach((e, i) => checkIds(field.resolvedType, e, `${where}.${field.name}[${i}]`, strict));
      else checkIds(field.resolvedType, v, `${where}.${field.name}`, strict);
    } else if (isId(field)) {
      if (v.length !== ID_BYTES[field.name] && (strict || v.length !== 0))
        fail(where, `${field.name} has ${v.length} bytes, not ${ID_BYTES[field.name]}`);
    }
  }
}

function decodeProtobuf(type, buf, strict) {
  let msg;
  try {
    msg = type.decode(buf);
  } catch (e) {
    fail('protobuf', `not a well-formed ${type.name}: ${e.message}`);
  }
  const again = type.encode(msg).finish().length;
  if (again !== buf.length)
    fail('protobuf', `${buf.length} bytes, but ${again} once decoded and re-encoded: an unknown or repeated field, ` +
      'a padded varint, or an unpacked repeated scalar');
  checkIds(type, msg, type.name, strict);
  return normalize(type, msg);
}

// ---- JSON ----------------------------------------------------------------------------------------------------------

const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function checkScalar(field, v, where, strict) {
  const t = field.type;
  if (field.resolvedType instanceof protobuf.Enum) {
    if (!Number.isInteger(v)) fail(where, `an enum (${field.resolvedType.name}) must be an integer, not ${JSON.stringify(v)}`);
    return;
  }
  if (isId(field)) {
    const n = ID_BYTES[field.name] * 2;
    const re = strict ? /^[0-9a-f]*$/ : /^[0-9a-fA-F]*$/;
    if (typeof v !== 'string' || !re.test(v) || (v.length !== n && (strict || v.length !== 0)))
      fail(where, `must be ${n} ${strict ? 'lowercase ' : ''}hex digits, not ${JSON.stringify(v)}`);
    return;
  }
  if (INT64.has(t)) {
    const re = t.startsWith('u') || t === 'fixed64' ? /^(0|[1-9][0-9]*)$/ : /^-?(0|[1-9][0-9]*)$/;
    if (typeof v !== 'string' || !re.test(v)) fail(where, `a 64-bit integer (${t}) must be a decimal string, not ${JSON.stringify(v)}`);
    const b = BigInt(v);
    const [lo, hi] = t.startsWith('u') || t === 'fixed64' ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (b < lo || b > hi) fail(where, `${v} is out of the range of ${t}`);
    return;
  }
  if (t in INT32) {
    if (!Number.isInteger(v) || v < INT32[t][0] || v > INT32[t][1]) fail(where, `a ${t} must be an integer number, not ${JSON.stringify(v)}`);
    return;
  }
  if (t === 'double' || t === 'float') {
    if (typeof v !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(v))
      fail(where, `a ${t} must be a number (or "NaN", "Infinity", "-Infinity"), not ${JSON.stringify(v)}`);
    return;
  }
  if (t === 'bool') {
    if (typeof v !== 'boolean') fail(where, `a bool must be true or false, not ${JSON.stringify(v)}`);
    return;
  }
  if (t === 'string') {
    if (typeof v !== 'string') fail(where, `must be a string, not ${JSON.stringify(v)}`);
    return;
  }
  if (t === 'bytes') {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0)
      fail(where, `bytes must be base64, not ${JSON.stringify(v)}`);
    return;
  }
  fail(where, `no rule for the type ${t}`);
}

// The OTLP JSON rules on obj, a value of message type, at where (a JSON path for messages).
export function checkJson(type, obj, where = '$', { strict = true } = {}) {
  if (kind(obj) !== 'object') fail(where, `a ${type.name} must be an object, not ${kind(obj)}`);
  for (const [key, v] of Object.entries(obj)) {
    const field = type.fields[key];
    const at = `${where}.${key}`;
    if (!field) {
      const snake = type.fieldsArray.find((f) => protobuf.util.camelCase(key) === f.name);
      fail(at, snake ? `not a lowerCamelCase name (OTLP JSON writes "${snake.name}")` : `${type.fullName.slice(1)} has no field "${key}"`);
    }
    if (v === null) fail(at, 'null is not a value prova writes nor the examples use');
    const one = (e, w) => (field.resolvedType instanceof protobuf.Type ? checkJson(field.resolvedType, e, w, { strict }) : checkScalar(field, e, w, strict));
    if (field.repeated) {
      if (!Array.isArray(v)) fail(at, `a repeated field must be an array, not ${kind(v)}`);
      v.forEach((e, i) => one(e, `${at}[${i}]`));
    } else {
      one(v, at);
    }
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((name) => name in obj);
    if (set.length > 1) fail(where, `${set.join(' and ')} are members of one oneof (${oneof.name}): at most one may be set`);
  }
}

// A deep copy of a JSON request with the ids as base64, what Type.fromObject reads as bytes.
function idsToBase64(type, obj) {
  const out = {};
  for (const [key, v] of Object.entries(obj)) {
    const field = type.fields[key];
    if (field.resolvedType instanceof protobuf.Type)
      out[key] = field.repeated ? v.map((e) => idsToBase64(field.resolvedType, e)) : idsToBase64(field.resolvedType, v);
    else out[key] = isId(field) ? Buffer.from(v, 'hex').toString('base64') : v;
  }
  return out;
}

// The JSON as it should come back: defaults left out, ids lowercase.
function expected(type, obj) {
  const out = {};
  for (const [key, v] of Object.entries(obj)) {
    const field = type.fields[key];
    if (isDefault(field, v)) continue;
    if (field.resolvedType instanceof protobuf.Type)
      out[key] = field.repeated ? v.map((e) => expected(field.resolvedType, e)) : expected(field.resolvedType, v);
    else out[key] = isId(field) ? v.toLowerCase() : v;
  }
  return out;
}

// The first difference between two JSON values, for the message.
function firstDiff(a, b, where = '$') {
  if (isDeepStrictEqual(a, b)) return null;
  if (kind(a) !== kind(b) || (kind(a) !== 'object' && kind(a) !== 'array')) return `${where}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDiff(a[k], b[k], kind(a) === 'array' ? `${where}[${k}]` : `${where}.${k}`);
    if (d) return d;
  }
  return `${where}: differs`;
}

function decodeJson(type, buf, strict) {
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    fail('JSON', 'the body is not UTF-8');
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    fail('JSON', `not JSON: ${e.message}`);
  }
  checkJson(type, obj, '$', { strict });
  let msg;
  try {
    msg = type.fromObject(idsToBase64(type, obj));
  } catch (e) {
    fail('JSON', `protobufjs refuses it as a ${type.name}: ${e.message}`);
  }
  const got = normalize(type, msg);
  const want = expected(type, obj);
  const d = firstDiff(want, got);
  if (d) fail('JSON', `not reproduced by protobufjs (the JSON vs protobufjs's reading of it): ${d}`);
  return got;
}

// ---- The entry point ---------------------------------------------------------------------------------------------

// The request of signal ('traces', 'logs' or 'metrics') in body (a Buffer or Uint8Array), sent with these
// Content-Type and Content-Encoding headers (undefined or '' for none), as a normalized object; throws when the body
// does not follow the rules (see the top of this file).
export function decode(signal, contentType, contentEncoding, body, { strict = true } = {}) {
  const type = REQUEST[signal];
  if (!type) fail('request', `unknown signal ${JSON.stringify(signal)} (traces, logs, metrics)`);
  let buf = Buffer.from(body.buffer ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : body);
  const enc = (contentEncoding || '').trim().toLowerCase();
  if (enc === 'gzip') {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      fail('request', `Content-Encoding gzip, but the body does not gunzip: ${e.message}`);
    }
  } else if (enc !== '' && enc !== 'identity') {
    fail('request', `unsupported Content-Encoding ${JSON.stringify(contentEncoding)}`);
  }
  const media = (contentType || '').split(';')[0].trim().toLowerCase();
  if (media === 'application/x-protobuf') return decodeProtobuf(type, buf, strict);
  if (media === 'application/json') return decodeJson(type, buf, strict);
  fail('request', `unsupported Content-Type ${JSON.stringify(contentType)} (application/x-protobuf, application/json)`);
}

// The same for a file, its encoding by extension (.pb, .json).
export function decodeFile(signal, file, options) {
  const type = file.endsWith('.json') ? 'application/json' : 'application/x-protobuf';
  return decode(signal, type, '', readFileSync(file), options);
}
