// echo-server: every byte back on the same connection; pipe() also ends our side when the
// client ends its, and pauses reading while the client is slow to read (backpressure).
const net = require('net');

const server = net.createServer((socket) => {
  socket.pipe(socket);
  socket.on('error', () => {}); // a client that resets is not our problem
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
