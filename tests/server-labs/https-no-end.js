// Buggy https-server: TLS is right, but the handler writes the body and never calls end().
const https = require('https');
const fs = require('fs');

https.createServer({
  cert: fs.readFileSync(process.env.NETLAB_CERT),
  key: fs.readFileSync(process.env.NETLAB_KEY),
}, (req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.write('Hello World\n');
}).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
