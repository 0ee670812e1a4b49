// http-upgrade: switch to raw bytes after 101.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: const req = http.request({ host, port, path: '/chat', headers: { Connection: 'Upgrade', Upgrade: 'netlab-echo' } })
// TODO: req.on('upgrade', (res, socket) => { socket.write('hi\n'); ...print the echo, socket.end()... })
// TODO: req.end()
