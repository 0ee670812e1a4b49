// unix-hello reference solution.
const net = require('net');
const sock = net.connect({ path: process.env.NETLAB_SOCKET }, () => sock.write('hello\r\n'));
let received = '';
sock.on('data', (chunk) => {
  received += chunk;
  if (received.endsWith('\r\n')) {
    console.log(received.trim());
    sock.end();
  }
});
