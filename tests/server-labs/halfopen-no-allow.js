// Forgets allowHalfOpen: Node ends the socket right after 'end', before the late answer.
const net = require('net');
net.createServer((s) => {
  let n = 0;
  s.on('data', (d) => { n += d.length; });
  s.on('end', () => setTimeout(() => { try { s.end(`got ${n} bytes\r\n`); } catch (e) {} }, 100));
  s.on('error', () => {});
}).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
