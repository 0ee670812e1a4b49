// fix-crlf reference solution: every line of the head ends with \r\n (CR LF), as HTTP/1.1
// requires; Node's parser answers a bare \n with 400 Bad Request.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const sock = net.connect({ host, port }, () => {
  sock.write(
    'GET /hello HTTP/1.1\r\n' +   // HTTP/1.1 ends every line with CR LF
    `Host: ${host}:${port}\r\n` +
    'Connection: close\r\n' +
    '\r\n'
  );
});
let got = '';
sock.on('data', (d) => { got += d; });
sock.on('end', () => {                      // Connection: close: the server ends after answering
  const [head, body] = got.split('\r\n\r\n');
  console.log(head.split(' ')[1]);          // "HTTP/1.1 200 OK" → 200
  console.log(body);
});
