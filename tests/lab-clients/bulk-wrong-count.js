// Reads everything but prints the number of 'data' events instead of bytes.
const net = require('net');
const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) });
let chunks = 0;
sock.on('data', () => { chunks += 1; });
sock.on('end', () => { console.log(chunks); sock.end(); });
