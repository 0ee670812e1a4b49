// Never gives up on a silent server: waits forever on the second connection.
const net = require('net');
function attempt() {
  return new Promise((resolve) => {
    const s = net.connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) }, () => s.write('hello\n'));
    s.on('error', (err) => resolve(err.code));
    s.on('close', () => resolve('closed'));
  });
}
(async () => { for (let i = 0; i < 3; i++) console.log(await attempt()); })();
