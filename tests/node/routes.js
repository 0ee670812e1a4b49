'use strict';
// The Node 20 program that netlab's `http` scenario mirrors (src/http/routes.rs documents each
// route with the lines below): a plain `http.createServer`, nothing instrumented. The routes
// differential test (tests/routes.rs) sends the same requests here and to `netlab serve http`
// and compares the response bytes, the Date header aside.
//
//   node tests/node/routes.js [PORT]     prints {"event":"listening","port":P} once bound
const http = require('http');

// Every fixed answer: a status, text/plain, any extra headers, an explicit Content-Length,
// then the body.
function text(res, status, body, headers) {
  res.writeHead(status, {
    'Content-Type': 'text/plain',
    ...headers,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

// The answer to an ordinary request, once its body has been read.
function route(req, res, bodyLength) {
  const path = req.url.split('?')[0];
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (get && path === '/hello') return text(res, 200, 'Hello World');
  if (get && (path === '/one' || path === '/two')) return text(res, 200, path.slice(1));
  if (get && path.startsWith('/slow/')) {
    return setTimeout(() => text(res, 200, path.slice('/slow/'.length)), 200);
  }
  if (get && path === '/secret') {
    const given = (req.headers.authorization || '').replace(/^Basic /, '').trim();
    if (given === Buffer.from('netlab:sockets').toString('base64')) {
      return text(res, 200, 'the secret is: sockets all the way down');
    }
    return text(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="netlab"' });
  }
  if ((req.method === 'POST' || req.method === 'PUT') && path === '/upload') {
    return text(res, 201, `received ${bodyLength} bytes`);
  }
  if (get && path === '/stream') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }); // no length: chunked
    res.write('one\n');
    res.write('two\n');
    return res.end('three\n');
  }
  return text(res, 404, 'Not Found');
}

// Read the whole body, then route.
function answer(req, res) {
  let n = 0;
  req.on('data', (chunk) => { n += chunk.length; });
  req.on('end', () => route(req, res, n));
}

const server = http.createServer(answer);

// `Expect: 100-continue`: /upload makes the client wait ~300 ms for its 100 Continue.
server.on('checkContinue', (req, res) => {
  const delay = req.url.startsWith('/upload') ? 300 : 0;
  setTimeout(() => { res.writeContinue(); answer(req, res); }, delay);
});

// `Upgrade: netlab-echo` on /chat: 101 after ~200 ms, then the raw bytes are echoed.
server.on('upgrade', (req, socket, head) => {
  if (String(req.headers.upgrade).toLowerCase() !== 'netlab-echo' || req.url !== '/chat') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot Found');
    return;
  }
  setTimeout(() => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\n');
    if (head.length) socket.write(head);
    socket.pipe(socket);
  }, 200);
});

// `CONNECT echo.netlab:7`: 200, then the socket is a tunnel to an echo service.
server.on('connect', (req, socket, head) => {
  if (req.url.toLowerCase() !== 'echo.netlab:7') {
    const body = 'only echo.netlab:7 is reachable';
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n' +
      `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    return;
  }
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (head.length) socket.write(head);
  socket.pipe(socket);
});

const port = Number(process.argv[2] || 8080);
server.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port, transport: 'tcp' }));
});
