// fix-continue reference solution: with `Expect: 100-continue` the body waits for the
// request's 'continue' event (the server's 100 Continue).
const http = require('http');

const req = http.request({
  host: process.env.NETLAB_HOST,
  port: Number(process.env.NETLAB_PORT),
  method: 'POST',
  path: '/upload',
  headers: { 'Content-Type': 'text/plain', 'Content-Length': 12, Expect: '100-continue' },
}, (res) => {
  console.log(res.statusCode);
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => console.log(body));
});
req.on('continue', () => req.end('netlab rocks'));
