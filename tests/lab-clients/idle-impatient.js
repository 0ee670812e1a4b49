// Sends hi, prints the echo, and closes at once: no timeout ever happens.
const net = require('net');
const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) },
  () => sock.write('hi\r\n'));
sock.on('data', (d) => { console.log(String(d).trim()); sock.end(); });
