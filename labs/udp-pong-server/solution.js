// udp-pong-server: every datagram gets `pong`, sent to where it came from.
const dgram = require('dgram');

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => socket.send('pong', rinfo.port, rinfo.address));
socket.bind(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('bound to', socket.address().port);
});
process.on('SIGTERM', () => socket.close(() => process.exit(0)));
