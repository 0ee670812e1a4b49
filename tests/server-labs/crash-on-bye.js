// Echoes until a client sends "bye": then it gives up with exit status 7, mid-drive.
const net = require('net');
net.createServer((s) => s.on('data', (d) => {
  if (d.toString().startsWith('bye')) {
    console.error('a client said bye: giving up');
    process.exit(7);
  }
  s.write(d);
}).on('end', () => s.end())).listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
