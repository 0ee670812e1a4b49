// tcp-idle reference solution.
const net = require('net');
const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) },
  () => sock.write('hi\r\n'));
let buffered = '';
sock.on('data', (chunk) => {
  buffered += chunk;
  let i;
  while ((i = buffered.indexOf('\r\n')) >= 0) {
    console.log(buffered.slice(0, i));
    buffered = buffered.slice(i + 2);
  }
});
sock.on('end', () => sock.end());
