// http-connect: a tunnel through CONNECT.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: const req = http.request({ host, port, method: 'CONNECT', path: 'echo.netlab:7' })
// TODO: req.on('connect', (res, socket) => { socket.write('tunnel\n'); ...print the echo, socket.end()... })
// TODO: req.end()
