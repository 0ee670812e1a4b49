// greeting-server: the greeting first, then every byte back; pipe() ends our side when the
// client ends its.
const net = require('net');

const server = net.createServer((socket) => {
  socket.write('Echo server\r\n');
  socket.pipe(socket);
  socket.on('error', () => {}); // a client that resets is not our problem
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
