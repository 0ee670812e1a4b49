// udp-ping reference solution.
const dgram = require('dgram');
const socket = dgram.createSocket('udp4');
socket.on('message', (msg) => {
  console.log(String(msg));
  socket.close();
});
socket.send('Hello Node.js', Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
