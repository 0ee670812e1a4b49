// unix-echo-server: the echo server on a Unix socket path. Node removes the socket file when
// the server closes; SIGTERM's default would skip that, so close first, then exit.
const net = require('net');

const path = process.env.NETLAB_SOCKET;
const server = net.createServer((socket) => {
  socket.pipe(socket);
  socket.on('error', () => {}); // a client that resets is not our problem
});
server.listen(path, () => console.log('listening on', path));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
