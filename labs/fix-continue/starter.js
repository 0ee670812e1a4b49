// fix-continue: this client is BROKEN. It should POST `netlab rocks` to /upload with
// `Expect: 100-continue` — sending the body only after the server's 100 Continue — and print
// the status code, then the body (201, then received 12 bytes). It prints that, yet the lab
// fails. Run `netlab check fix-continue`, read the report, and fix it.
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
req.end('netlab rocks');
