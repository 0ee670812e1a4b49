// echo-server: listen on NETLAB_HOST:NETLAB_PORT and send every byte back.
const net = require('net');

const server = net.createServer((socket) => {
  // TODO: send back every byte the client sends (one line of Node does it all)
  // TODO: end your side when the client ends its side
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
