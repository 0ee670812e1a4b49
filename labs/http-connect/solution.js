// http-connect reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const req = http.request({ host, port, method: 'CONNECT', path: 'echo.netlab:7' });
req.on('connect', (res, socket) => {
  socket.write('tunnel\n');
  socket.on('data', (d) => {
    console.log(String(d).trim());
    socket.end();
  });
});
req.end();
