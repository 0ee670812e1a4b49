// Buggy greeting-server: greets only after the client's first bytes — a client that waits
// for the greeting waits forever.
const net = require('net');

net.createServer((socket) => {
  let greeted = false;
  socket.on('data', (chunk) => {
    if (!greeted) {
      socket.write('Echo server\r\n');
      greeted = true;
    }
    socket.write(chunk);
  });
  socket.on('end', () => socket.end());
  socket.on('error', () => {});
}).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
