// http-upgrade-server: switch GET /chat to the netlab-echo protocol, then echo raw bytes.
const http = require('http');

const server = http.createServer((req, res) => {
  res.writeHead(426, { Upgrade: 'netlab-echo', Connection: 'Upgrade' });
  res.end();
});
// TODO: server.on('upgrade', (req, socket, head) => { … }): write the 101 head yourself,
// write back `head`, then echo the socket
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
