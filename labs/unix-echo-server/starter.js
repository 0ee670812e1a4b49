// unix-echo-server: listen on the Unix socket path in NETLAB_SOCKET and send every byte back.
const net = require('net');

const server = net.createServer((socket) => {
  // TODO: send back every byte the client sends, and end when it ends
});
server.listen(process.env.NETLAB_SOCKET);
// TODO: on SIGTERM, close the server (Node then removes the socket file) and exit
