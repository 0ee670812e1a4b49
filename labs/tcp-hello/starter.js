// tcp-hello: say hello to the echo server.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO 1: connect with net.connect({ host, port }, onConnect)
// TODO 2: in onConnect, write 'hello\r\n'
// TODO 3: on 'data', print the echo without its line ending, then call end()
