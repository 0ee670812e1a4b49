// tcp-bulk reference solution.
const net = require('net');
const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) });
let total = 0;
sock.on('data', (chunk) => { total += chunk.length; });
sock.on('end', () => {
  console.log(total);
  sock.end();
});
