// Buggy http-upgrade-server: switches and pipes, but drops `head` — the bytes that came in
// the same packet as the upgrade request.
const http = require('http');

const server = http.createServer((req, res) => {
  res.writeHead(426);
  res.end();
});
server.on('upgrade', (req, socket) => {
  socket.on('error', () => {});
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\n');
  socket.pipe(socket);
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
