// https-server: serve GET /hello over TLS with NETLAB_CERT and NETLAB_KEY.
const http = require('http');

// TODO: https.createServer({ cert, key }, …) with fs.readFileSync of the two PEM files
const server = http.createServer((req, res) => {
  res.end('Hello World\n');
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
