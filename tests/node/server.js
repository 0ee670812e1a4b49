'use strict';
// The netlab scenarios written in plain Node, printing the same JSON lines as
// `netlab serve NAME --json` (t_ms, scope, conn, event, bytes, text, had_error, code, from…).
// Used by tests/differential.rs: the same clients run against this and against netlab, and the
// canonical traces of both must be equal.
//
//   node tests/node/server.js SCENARIO [--port P] [--socket PATH] [--bytes N]
//
// Events are traced by wrapping emit() (no listeners are added for tracing, so stream modes are
// unchanged). SIGINT/SIGTERM: server.close(), end() every open socket, exit when closed.
const net = require('net');
const dgram = require('dgram');

const argv = process.argv.slice(2);
const scenario = argv[0];
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const port = Number(opt('--port', '0'));
const socketPath = opt('--socket', null);
const bulkBytes = Number(opt('--bytes', String(8 * 1024 * 1024)));
const t0 = process.hrtime.bigint();
const PREVIEW = 64;

function out(obj) {
  obj = { t_ms: Number(process.hrtime.bigint() - t0) / 1e6, ...obj };
  process.stdout.write(JSON.stringify(obj) + '\n');
}
function payload(buf) {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf);
  const o = { bytes: b.length, text: b.subarray(0, PREVIEW).toString('latin1') };
  if (b.length > PREVIEW) o.truncated = true;
  return o;
}
function scopeOf(conn) {
  return conn ? { scope: 'conn', conn } : { scope: 'server' };
}
// Documented events only; stream internals are not part of the timeline.
const TRACED = new Set(['listening', 'connection', 'connect', 'data', 'end', 'drain', 'timeout',
  'finish', 'error', 'close', 'message']);
function hook(emitter, conn, transport) {
  const orig = emitter.emit;
  emitter.emit = function (ev, ...args) {
    if (TRACED.has(ev)) {
      const o = { ...scopeOf(conn), event: ev };
      if (ev === 'data') Object.assign(o, payload(args[0]));
      if (ev === 'message') Object.assign(o, payload(args[0]), { from: `${args[1].address}:${args[1].port}` });
      if (ev === 'close' && conn) o.had_error = !!args[0];
      if (ev === 'error') o.code = args[0].code || String(args[0]);
      if (ev === 'connection') o.peer = `${args[0].remoteAddress}:${args[0].remotePort}`;
      if (ev === 'listening') {
        const a = emitter.address();
        if (typeof a === 'string') Object.assign(o, { address: a, transport: 'unix' });
        else Object.assign(o, { address: a.address, port: a.port, transport });
      }
      out(o);
    }
    return orig.call(this, ev, ...args);
  };
  return emitter;
}
// Record the script's own write() calls as netlab does (write(n) -> returned).
function tracedWrite(sock, conn, data) {
  const ok = sock.write(data);
  out({ ...scopeOf(conn), event: 'write', ...payload(data), returned: ok });
  return ok;
}

let nextConn = 0;
const open = new Set();
const PATTERN = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789\n');

const handlers = {
  'tcp-echo': (sock) => sock.pipe(sock),
  'unix-echo': (sock) => sock.pipe(sock),
  'tcp-greeting': (sock, conn) => {
    sock.pause();
    setTimeout(() => { tracedWrite(sock, conn, 'Echo server\r\n'); sock.pipe(sock); }, 200);
  },
  'tcp-bulk': (sock, conn) => {
    const reps = Math.floor(65536 / PATTERN.length) + 2; // any phase + a full chunk fits
    const big = Buffer.concat(Array(reps).fill(PATTERN));
    let sent = 0;
    const pump = () => {
      while (sent < bulkBytes) {
        const phase = sent % PATTERN.length;
        const n = Math.min(bulkBytes - sent, 65536);
        const ok = tracedWrite(sock, conn, big.subarray(phase, phase + n));
        sent += n;
        if (!ok) { sock.once('drain', pump); return; }
      }
      sock.end();
    };
    pump();
  },
  'tcp-idle': (sock) => {
    sock.setTimeout(500);
    sock.on('timeout', () => { if (!sock.writableEnded) sock.end('bye\r\n'); });
    sock.pipe(sock);
  },
  'tcp-halfopen': (sock, conn) => {
    let n = 0;
    sock.on('data', (d) => { n += d.length; });
    sock.on('end', () => { tracedWrite(sock, conn, `got ${n} bytes\r\n`); sock.end(); });
  },
};

// The `http` scenario's routes that the HTTP differential test drives. Per request, the
// IncomingMessage's events go to scope `request` and the ServerResponse's to `response`
// ({conn, req}); the server's checkContinue/upgrade/connect/clientError go to the request
// (or, for clientError, the connection), as netlab records them.
const http = require('http');
const connOf = new WeakMap();
const reqsOf = new WeakMap();
const REQ_TRACED = new Set(['data', 'end', 'close']);
const RES_TRACED = new Set(['finish', 'close']);
function hookMsg(emitter, base, traced) {
  const orig = emitter.emit;
  emitter.emit = function (ev, ...args) {
    if (traced.has(ev)) {
      const o = { ...base, event: ev };
      if (ev === 'data') Object.assign(o, payload(args[0]));
      out(o);
    }
    return orig.call(this, ev, ...args);
  };
}
function track(req, res, event) {
  const conn = connOf.get(req.socket);
  const n = (reqsOf.get(req.socket) || 0) + 1;
  reqsOf.set(req.socket, n);
  const base = { conn, req: n };
  out({ scope: 'request', ...base, event, method: req.method, url: req.url,
        http_version: req.httpVersion });
  hookMsg(req, { scope: 'request', ...base }, REQ_TRACED);
  if (res) hookMsg(res, { scope: 'response', ...base }, RES_TRACED);
}
function answer(req, res) {
  const text = (status, body) => {
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
  let n = 0;
  req.on('data', (d) => { n += d.length; });
  req.on('end', () => {
    if (req.method === 'GET' && req.url === '/hello') text(200, 'Hello World');
    else if (req.method === 'GET' && (req.url === '/one' || req.url === '/two')) text(200, req.url.slice(1));
    else if (req.method === 'POST' && req.url === '/upload') text(201, `received ${n} bytes`);
    else text(404, 'Not Found');
  });
}
function httpServer() {
  const srv = http.createServer((req, res) => { track(req, res, 'request'); answer(req, res); });
  srv.on('checkContinue', (req, res) => {
    track(req, res, 'checkContinue');
    setTimeout(() => { res.writeContinue(); answer(req, res); }, 300);
  });
  srv.on('upgrade', (req, sock, head) => {
    const conn = connOf.get(sock);
    const n = (reqsOf.get(sock) || 0) + 1;
    reqsOf.set(sock, n);
    out({ scope: 'request', conn, req: n, event: 'upgrade', url: req.url, protocol: req.headers.upgrade });
    setTimeout(() => {
      sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\n');
      if (head.length) sock.write(head);
      sock.pipe(sock);
    }, 200);
  });
  srv.on('connect', (req, sock, head) => {
    const conn = connOf.get(sock);
    const n = (reqsOf.get(sock) || 0) + 1;
    reqsOf.set(sock, n);
    out({ scope: 'request', conn, req: n, event: 'connect_request', url: req.url, http_version: req.httpVersion });
    sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) sock.write(head);
    sock.pipe(sock);
  });
  srv.on('clientError', (err, sock) => {
    out({ scope: 'conn', conn: connOf.get(sock), event: 'clientError', code: err.code, status: 400 });
    if (sock.writable) sock.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return srv;
}

let server;
if (scenario === 'http') {
  server = hook(httpServer(), 0, 'tcp');
  server.on('connection', (sock) => {
    const conn = ++nextConn;
    connOf.set(sock, conn);
    hook(sock, conn);
    sock.on('error', () => {});
    open.add(sock);
    sock.on('close', () => open.delete(sock));
  });
  server.listen(port, '127.0.0.1');
} else if (scenario === 'udp-pong') {
  server = hook(dgram.createSocket('udp4'), 0, 'udp4');
  server.on('message', (msg, rinfo) => server.send('pong', rinfo.port, rinfo.address));
  server.bind(port, '127.0.0.1');
} else if (handlers[scenario]) {
  server = hook(net.createServer({ allowHalfOpen: scenario === 'tcp-halfopen' }), 0, 'tcp');
  server.on('connection', (sock) => {
    const conn = ++nextConn;
    hook(sock, conn);
    // Without a listener an 'error' would crash the process; the event is traced either way.
    sock.on('error', () => {});
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    handlers[scenario](sock, conn);
  });
  if (scenario === 'unix-echo') server.listen(socketPath);
  else server.listen(port, '127.0.0.1');
} else {
  console.error(`unknown scenario ${scenario}`);
  process.exit(2);
}

function stop() {
  server.close();
  for (const s of open) s.end();
  setTimeout(() => process.exit(0), 1500).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
