// The OTLP endpoint of bench/otel.sh: accepts every export (200 {}), decodes nothing, and counts requests and
// bytes by signal, so that its CPU takes as little as possible from the gateway it is measured beside.
//   node otlp_sink.mjs        prints "PORT\n"; GET /_count -> {"traces":{"requests":N,"bytes":B},...}
import http from 'node:http';

const count = {};
const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (c) => { bytes += c.length; });
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/_count') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(count));
    }
    const signal = req.url.replace(/^\/v1\//, '');
    const c = (count[signal] ||= { requests: 0, bytes: 0 });
    c.requests++;
    c.bytes += bytes;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
