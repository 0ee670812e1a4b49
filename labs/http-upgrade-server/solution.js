// http-upgrade-server: plain requests get 426; an upgrade to netlab-echo gets 101, and from
// then on the socket is raw bytes: echo them, starting with any that came with the request.
const http = require('http');

const server = http.createServer((req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'netlab-echo', Connection: 'Upgrade' });
  res.end('this endpoint speaks netlab-echo: send Upgrade: netlab-echo\n');
});
server.on('upgrade', (req, socket, head) => {
  socket.on('error', () => {}); // a client that resets is not our problem
  if ((req.headers.upgrade || '').toLowerCase() !== 'netlab-echo') {
    socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: netlab-echo\r\nConnection: Upgrade\r\n\r\n');
  if (head.length > 0) socket.write(head); // bytes that came right behind the request
  socket.pipe(socket);
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST, () => {
  console.log('listening on', server.address().port);
});
process.on('SIGTERM', () => process.exit(0));
