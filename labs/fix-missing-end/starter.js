// fix-missing-end: this client is BROKEN. It should send hello\r\n to the echo server, print
// the echo (hello) and exit — but it never prints anything and never exits.
// Run it with `netlab check fix-missing-end`, read the report, and fix it (one line).
const net = require('net');

const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) }, () => {
  sock.write('hello\r\n');
});
let got = '';
sock.on('data', (d) => { got += d; });
sock.on('end', () => {        // the server's FIN: it has sent everything
  console.log(got.trim());
});
