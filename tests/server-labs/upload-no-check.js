// Buggy http-upload-server: counts bodies right, but has no 'checkContinue' listener, so
// Node answers 100 Continue to every upload, however large.
const http = require('http');

http.createServer((req, res) => {
  let n = 0;
  req.on('data', (chunk) => { n += chunk.length; });
  req.on('end', () => res.end(`got ${n} bytes\n`));
}).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
