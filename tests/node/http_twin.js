'use strict';
// The Node 20 twin of `netlab serve http` for the HTTP differential suite (tests/http_diff.rs):
// the same routes (src/http/routes.rs) on a plain `http.createServer`, printing the same JSON
// lines as `netlab serve http --json` for the objects the suite compares:
//   server `connection` (with `peer`), conn `clientError` (code) and `close`,
//   request (scope request, {conn, req}): request | checkContinue | upgrade | connect_request,
//     data, end, aborted, error, close;
//   response (scope response): finish, close.
// Nothing else is changed: clientError keeps Node's default handling (the emit is wrapped,
// no listener added), so the error answers are Node's own bytes.
//
//   node tests/node/http_twin.js [--port P] [--headers-timeout MS] [--request-timeout MS]
//                                [--keep-alive-timeout MS] [--check-interval MS]
//                                [--tls-cert PEM-FILE --tls-key PEM-FILE] [--quiet]
// With --quiet it prints only the `listening` line and traces nothing (the benchmark's plain
// Node). With --tls-cert and --tls-key it is the twin of `netlab serve https`: the same server on
// `https.createServer` (the benchmark, benches/http_load.rs, uses it).
const http = require('http');
const https = require('https');
const fs = require('fs');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const t0 = process.hrtime.bigint();
const quiet = argv.includes('--quiet');
function out(obj) {
  if (quiet && obj.event !== 'listening') return;
  process.stdout.write(JSON.stringify({ t_ms: Number(process.hrtime.bigint() - t0) / 1e6, ...obj }) + '\n');
}

const options = {};
if (opt('--headers-timeout')) options.headersTimeout = opt('--headers-timeout');
if (opt('--request-timeout') !== undefined) options.requestTimeout = opt('--request-timeout');
if (opt('--check-interval')) options.connectionsCheckingInterval = opt('--check-interval');
if (opt('--keep-alive-timeout')) options.keepAliveTimeout = opt('--keep-alive-timeout');
const str = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const tls = str('--tls-cert') !== undefined;
if (tls) {
  options.cert = fs.readFileSync(str('--tls-cert'));
  options.key = fs.readFileSync(str('--tls-key'));
}
const srv = tls ? https.createServer(options) : http.createServer(options);

let nextConn = 0;
const connOf = new WeakMap();
const reqsOf = new WeakMap();
const open = new Set();

function hook(emitter, base, traced, extra) {
  if (quiet) return;
  const orig = emitter.emit;
  emitter.emit = function (ev, ...args) {
    if (traced.has(ev)) {
      const o = { ...base, event: ev };
      if (ev === 'data') o.bytes = args[0].length;
      if (ev === 'error') o.code = args[0] && args[0].code;
      if (extra) extra(ev, args, o);
      out(o);
    }
    return orig.call(this, ev, ...args);
  };
}
function nextReq(sock) {
  const n = (reqsOf.get(sock) || 0) + 1;
  reqsOf.set(sock, n);
  return { conn: connOf.get(sock), req: n };
}
function track(req, res, event, extra) {
  const base = nextReq(req.socket);
  out({ scope: 'request', ...base, event, method: req.method, url: req.url,
        http_version: req.httpVersion, ...extra });
  hook(req, { scope: 'request', ...base }, new Set(['data', 'end', 'aborted', 'error', 'close']));
  if (res) hook(res, { scope: 'response', ...base }, new Set(['finish', 'close', 'error']));
}

const text = (res, status, body, headers) => {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
};
function answer(req, res) {
  let n = 0;
  req.on('data', (d) => { n += d.length; });
  req.on('error', () => {});
  req.on('end', () => {
    const path = req.url.split('?')[0];
    const get = req.method === 'GET' || req.method === 'HEAD';
    const send = () => {
      if (get && path === '/hello') return text(res, 200, 'Hello World');
      if (get && (path === '/one' || path === '/two')) return text(res, 200, path.slice(1));
      if (get && path.startsWith('/slow/')) return setTimeout(() => text(res, 200, path.slice(6)), 200);
      if (get && path === '/secret') {
        const ok = (req.headers.authorization || '').replace(/^Basic /, '').trim() ===
          Buffer.from('netlab:sockets').toString('base64');
        return ok ? text(res, 200, 'the secret is: sockets all the way down')
          : text(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="netlab"' });
      }
      if ((req.method === 'POST' || req.method === 'PUT') && path === '/upload') return text(res, 201, `received ${n} bytes`);
      if (get && path === '/stream') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('one\n'); res.write('two\n'); return res.end('three\n');
      }
      return text(res, 404, 'Not Found');
    };
    send();
  });
}

srv.on('request', (req, res) => { track(req, res, 'request'); answer(req, res); });
srv.on('checkContinue', (req, res) => {
  track(req, res, 'checkContinue');
  const delay = req.url.startsWith('/upload') ? 300 : 0;
  setTimeout(() => { if (!res.destroyed) res.writeContinue(); answer(req, res); }, delay);
});
srv.on('upgrade', (req, sock, head) => {
  const base = nextReq(sock);
  const protocol = req.headers.upgrade;
  out({ scope: 'request', ...base, event: 'upgrade', url: req.url, protocol });
  if (String(protocol).toLowerCase() !== 'netlab-echo' || req.url !== '/chat') {
    // netlab serves unknown upgrades as ordinary requests; the suite keeps to /chat.
    sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found');
    return;
  }
  setTimeout(() => {
    sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\n');
    if (head.length) sock.write(head);
    sock.pipe(sock);
  }, 200);
});
srv.on('connect', (req, sock, head) => {
  const base = nextReq(sock);
  out({ scope: 'request', ...base, event: 'connect', url: req.url, http_version: req.httpVersion });
  if (req.url.toLowerCase() !== 'echo.netlab:7') {
    const body = 'only echo.netlab:7 is reachable';
    sock.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length) sock.write(head);
  sock.pipe(sock);
});
srv.on(tls ? 'secureConnection' : 'connection', (sock) => {
  const conn = ++nextConn;
  connOf.set(sock, conn);
  out({ scope: 'server', event: 'connection', peer: `${sock.remoteAddress}:${sock.remotePort}`, conn });
  hook(sock, { scope: 'conn', conn }, new Set(['close']), (ev, args, o) => { o.had_error = !!args[0]; });
  sock.on('error', () => {});
  open.add(sock);
  sock.on('close', () => open.delete(sock));
});
// Trace clientError without adding a listener (Node's default answer stays in place).
const origEmit = srv.emit;
srv.emit = function (ev, ...args) {
  if (ev === 'clientError') {
    out({ scope: 'conn', conn: connOf.get(args[1]), event: 'clientError', code: args[0].code });
  }
  return origEmit.call(this, ev, ...args);
};
srv.listen(opt('--port', 0), '127.0.0.1', () => {
  out({ scope: 'server', event: 'listening', address: '127.0.0.1', port: srv.address().port, transport: tls ? 'https' : 'tcp' });
});
function stop() {
  srv.close();
  for (const s of open) s.destroy();
  setTimeout(() => process.exit(0), 100);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
