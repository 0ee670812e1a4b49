// Writes all 32 MiB at once, ignoring write()'s return value: it all piles up in memory.
const net = require('net');
const LINES = 1 << 22;
net.createServer((socket) => {
  socket.on('error', () => {});
  for (let next = 0; next < LINES; next += 8192) {
    let chunk = '';
    for (let i = next; i < next + 8192; i++) chunk += String(i).padStart(7, '0') + '\n';
    socket.write(chunk);
  }
  socket.end();
}).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
