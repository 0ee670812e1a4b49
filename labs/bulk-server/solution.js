// bulk-server: on each connection, write the lines 0000000\n … 4194303\n (32 MiB), honouring
// backpressure: when write() returns false, stop, and go on at 'drain'; then end().
const net = require('net');

const LINES = 1 << 22;
const PER_WRITE = 8192; // lines per write: 64 KiB

const server = net.createServer((socket) => {
  socket.on('error', () => {}); // a client that resets is not our problem
  let next = 0;
  const more = () => {
    while (next < LINES) {
      let chunk = '';
      const stop = Math.min(next + PER_WRITE, LINES);
      for (; next < stop; next++) chunk += String(next).padStart(7, '0') + '\n';
      if (!socket.write(chunk)) {
        socket.once('drain', more); // the buffer is full: wait until it has gone out
        return;
      }
    }
    socket.end();
  };
  more();
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
