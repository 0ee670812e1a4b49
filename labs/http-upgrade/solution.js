// http-upgrade reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const req = http.request({ host, port, path: '/chat', headers: { Connection: 'Upgrade', Upgrade: 'netlab-echo' } });
req.on('upgrade', (res, socket) => {
  socket.write('hi\n');
  socket.on('data', (d) => {
    console.log(String(d).trim());
    socket.end();
  });
});
req.end();
