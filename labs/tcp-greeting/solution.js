// tcp-greeting reference solution.
const net = require('net');
const sock = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) });
let buffered = '';
let lines = 0;
sock.on('data', (chunk) => {
  buffered += chunk;
  let i;
  while ((i = buffered.indexOf('\r\n')) >= 0) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 2);
    console.log(line);
    lines += 1;
    if (lines === 1) sock.write('ping\r\n');
    else sock.end();
  }
});
