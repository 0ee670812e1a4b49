// tcp-lines reference solution.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const sock = net.connect({ host, port });
let buf = '';
let n = 0;
sock.setEncoding('utf8');
sock.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    n += 1;
    console.log(`${n} ${line}`);
  }
});
sock.on('end', () => {
  // Whatever is left had no \n: still a line.
  if (buf.length > 0) console.log(`${++n} ${buf}`);
});
