// http-post-continue reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const req = http.request({
  host, port, method: 'POST', path: '/upload',
  headers: { 'Content-Type': 'text/plain', 'Content-Length': 12, Expect: '100-continue' },
}, (res) => {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => { console.log(res.statusCode); console.log(body); });
});
req.on('continue', () => req.end('netlab rocks'));
