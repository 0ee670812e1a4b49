// tcp-hello reference solution.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const sock = net.connect({ host, port }, () => sock.write('hello\r\n'));
let received = '';
sock.on('data', (chunk) => {
  received += chunk;
  if (received.endsWith('\r\n')) {
    console.log(received.trim());
    sock.end();
  }
});
