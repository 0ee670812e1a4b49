// Says hello, prints the echo, then resets the connection (resetAndDestroy) instead of end().
const net = require('net');
const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) },
  () => sock.write('hello\r\n'));
sock.on('data', (d) => { console.log(String(d).trim()); sock.resetAndDestroy(); });
sock.on('error', () => {});
