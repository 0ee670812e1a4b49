// bulk-server: on each connection, write the lines 0000000\n … 4194303\n (32 MiB), then end.
const net = require('net');

const LINES = 1 << 22;

const server = net.createServer((socket) => {
  // TODO: write the lines in chunks (say 8192 lines = 64 KiB per write)
  // TODO: when write() returns false, stop and continue on the socket's 'drain' event
  // TODO: end() after the last line
  socket.end();
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
