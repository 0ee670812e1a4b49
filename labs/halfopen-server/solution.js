// halfopen-server: with allowHalfOpen the socket stays writable after the client's end.
const net = require('net');

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  let n = 0;
  socket.on('data', (chunk) => { n += chunk.length; });
  // Answer a little later, as a server that looks something up would: allowHalfOpen keeps
  // the socket writable after the client's end.
  socket.on('end', () => setTimeout(() => socket.end(`got ${n} bytes\r\n`), 100));
  socket.on('error', () => {});
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
