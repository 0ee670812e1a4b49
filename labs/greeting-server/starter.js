// greeting-server: greet with "Echo server\r\n", then send every byte back.
const net = require('net');

const server = net.createServer((socket) => {
  // TODO: write the greeting before the client says anything
  // TODO: then send back every byte the client sends, and end when it ends
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
