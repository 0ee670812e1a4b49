// udp-pong-server: answer every datagram with `pong`.
const dgram = require('dgram');

const socket = dgram.createSocket('udp4');
socket.on('message', (msg, rinfo) => {
  // TODO: send 'pong' back to rinfo.port and rinfo.address
});
socket.bind(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
