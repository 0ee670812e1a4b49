// fix-missing-end reference solution: end() our side, so the echo server ends its side too.
const net = require('net');

const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) }, () => {
  sock.end('hello\r\n');      // write, then FIN: "I am done sending"
});
let got = '';
sock.on('data', (d) => { got += d; });
sock.on('end', () => {        // the server's FIN: it has sent everything
  console.log(got.trim());
});
