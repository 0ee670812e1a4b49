// tcp-idle: say hi, then stay quiet until the server says bye.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO 1: connect and write 'hi\r\n'
// TODO 2: print every complete line the server sends (without \r\n)
// TODO 3: on 'end', call end()
