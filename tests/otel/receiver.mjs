// An OTLP/HTTP receiver for the tests: it decodes every request with protobufjs against the official .proto files
// (otlp_decode.mjs), or checks the OTLP JSON rules, and keeps what it received for the test to look at.
//
//   node receiver.mjs            prints "PORT\n" once listening on 127.0.0.1 (an ephemeral port)
//   POST /v1/traces | /v1/metrics | /v1/logs    an export: 200 {} when it decodes, 400 with the reason if not
//   GET  /_collected             {"traces":[...], "metrics":[...], "logs":[...], "requests":[...], "errors":[...],
//                                "other":[...]}
//   POST any other path          kept in "other" with its headers (an event sink's delivery): 200
//   POST /_behave                {"status": 503, "retry_after": 1, "times": 2, "delay_ms": 0}: the next `times`
//                                exports are answered with status (and Retry-After) after delay_ms, and not kept
//   POST /_reset                 forgets everything
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { decode } from './otlp_decode.mjs';

const signals = { '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/v1/logs': 'logs' };
let state;
let behave;
function reset() {
  state = { traces: [], metrics: [], logs: [], requests: [], errors: [], other: [] };
  behave = { times: 0 };
}
reset();

// RECEIVER_TLS_CERT and RECEIVER_TLS_KEY: HTTPS; RECEIVER_TLS_CA too: a client certificate it signed is required.
const tls = process.env.RECEIVER_TLS_CERT ? {
  cert: fs.readFileSync(process.env.RECEIVER_TLS_CERT), key: fs.readFileSync(process.env.RECEIVER_TLS_KEY),
  ...(process.env.RECEIVER_TLS_CA ? { ca: fs.readFileSync(process.env.RECEIVER_TLS_CA), requestCert: true,
    rejectUnauthorized: true } : {}),
} : null;
const handler = (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = req.url.split('?')[0];
    const reply = (status, obj, headers = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(obj));
    };
    if (req.method === 'GET' && url === '/_collected') return reply(200, state);
    if (req.method === 'POST' && url === '/_reset') { reset(); return reply(200, {}); }
    if (req.method === 'POST' && url === '/_behave') { behave = JSON.parse(body.toString()); return reply(200, {}); }
    const signal = signals[url];
    if (req.method === 'POST' && !signal) { // anything else posted (an event sink's delivery): kept as is
      state.other.push({ path: url, headers: req.headers, body: body.toString() });
      return reply(200, {});
    }
    if (req.method !== 'POST') return reply(404, { error: 'no such endpoint' });
    const record = {
      signal,
      contentType: req.headers['content-type'] || null,
      contentEncoding: req.headers['content-encoding'] || null,
      userAgent: req.headers['user-agent'] || null,
      headers: req.headers,
      bytes: body.length,
      at: Date.now(),
    };
    if (behave.times > 0) {
      behave.times--;
      record.answered = behave.status;
      state.requests.push(record);
      const send = () => reply(behave.status, { error: 'told to' },
        behave.retry_after !== undefined ? { 'Retry-After': String(behave.retry_after) } : {});
      return behave.delay_ms ? setTimeout(send, behave.delay_ms) : send();
    }
    let decoded;
    try {
      decoded = decode(signal, record.contentType, record.contentEncoding, body);
    } catch (e) {
      record.answered = 400;
      state.requests.push(record);
      state.errors.push(`${signal}: ${e.message}`);
      return reply(400, { error: e.message });
    }
    record.answered = 200;
    state.requests.push(record);
    state[signal].push(decoded);
    return reply(200, {});
  });
};
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
