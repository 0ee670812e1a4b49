// Buggy unix-echo-server: echoes right, but SIGTERM's default action kills it before the
// server closes, so the socket file stays behind.
const net = require('net');

net.createServer((socket) => {
  socket.pipe(socket);
  socket.on('error', () => {});
}).listen(process.env.NETLAB_SOCKET);
