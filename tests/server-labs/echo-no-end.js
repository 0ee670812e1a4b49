// Echoes, but never ends its side when the client ends (allowHalfOpen, no end()).
const net = require('net');
net.createServer({ allowHalfOpen: true }, (s) => s.on('data', (d) => s.write(d)))
  .listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
