// http-upload-server: count a request body however it is framed (Node's parser undoes
// Content-Length and chunked alike); decide on Expect: 100-continue before the body comes.
const http = require('http');

const LIMIT = 1 << 20; // 1 MiB

function upload(req, res) {
  if (req.method !== 'POST' || req.url !== '/upload') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
    return;
  }
  let n = 0;
  req.on('data', (chunk) => { n += chunk.length; });
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`got ${n} bytes\n`);
  });
}

const server = http.createServer(upload);
// With a 'checkContinue' listener Node no longer answers 100 Continue by itself: we decide.
server.on('checkContinue', (req, res) => {
  if (Number(req.headers['content-length']) > LIMIT) {
    res.writeHead(417, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('too large\n');
    return;
  }
  res.writeContinue();
  upload(req, res);
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
