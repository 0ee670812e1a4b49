// https-server: the http-hello routes over TLS, with the certificate and key netlab wrote.
const https = require('https');
const fs = require('fs');

const options = {
  cert: fs.readFileSync(process.env.NETLAB_CERT),
  key: fs.readFileSync(process.env.NETLAB_KEY),
};
const server = https.createServer(options, (req, res) => {
  const [status, body] = req.url === '/hello' ? [200, 'Hello World\n'] : [404, 'Not Found\n'];
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.on('tlsClientError', (err) => console.error('tlsClientError:', err.code || err.message));
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
