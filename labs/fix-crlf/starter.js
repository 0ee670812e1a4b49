// fix-crlf: this client is BROKEN. It speaks HTTP by hand over a TCP socket: it should send
// GET /hello and print the status code, then the body (200, then Hello World and a token) —
// but the server answers 400 Bad Request. Run `netlab check fix-crlf`, read the report, fix it.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const sock = net.connect({ host, port }, () => {
  sock.write(
    'GET /hello HTTP/1.1\n' +
    `Host: ${host}:${port}\n` +
    'Connection: close\n' +
    '\n'
  );
});
let got = '';
sock.on('data', (d) => { got += d; });
sock.on('end', () => {                      // Connection: close: the server ends after answering
  const [head, body] = got.split('\r\n\r\n');
  console.log(head.split(' ')[1]);          // "HTTP/1.1 200 OK" → 200
  console.log(body);
});
