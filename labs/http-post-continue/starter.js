// http-post-continue: send the body only after 100 Continue.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: const req = http.request({ host, port, method: 'POST', path: '/upload', headers: {
//   'Content-Type': 'text/plain', 'Content-Length': 12, Expect: '100-continue' } }, onResponse)
// TODO: req.on('continue', () => req.end('netlab rocks'))
