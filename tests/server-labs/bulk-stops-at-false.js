// Stops at the first write() that returns false and ends: it takes false for "done" instead
// of "wait for 'drain'", so the client gets only the first part of the lines.
const net = require('net');
const LINES = 1 << 22;
net.createServer((socket) => {
  socket.on('error', () => {});
  for (let next = 0; next < LINES; next += 8192) {
    let chunk = '';
    for (let i = next; i < next + 8192; i++) chunk += String(i).padStart(7, '0') + '\n';
    if (!socket.write(chunk)) break;
  }
  socket.end();
}).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
