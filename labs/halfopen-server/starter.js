// halfopen-server: answer `got N bytes\r\n` after the client's end, then end.
const net = require('net');

// TODO: without { allowHalfOpen: true } Node ends the socket as soon as the client does
const server = net.createServer((socket) => {
  let n = 0;
  socket.on('data', (chunk) => { n += chunk.length; });
  // TODO: on 'end', wait 100 ms (setTimeout), then answer with the count and end your side
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
