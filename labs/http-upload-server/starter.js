// http-upload-server: POST /upload answers `got N bytes`; refuse more than 1 MiB with 417.
const http = require('http');

const server = http.createServer((req, res) => {
  // TODO: count the body's bytes ('data'), and on 'end' answer 200 `got N bytes`
  res.end('TODO\n');
});
// TODO: server.on('checkContinue', …): 417 when Content-Length > 1 MiB, else writeContinue()
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
