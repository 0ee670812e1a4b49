// tcp-greeting: let the server speak first.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO 1: connect — but do NOT write in the connect callback
// TODO 2: on the first complete line ('Echo server <token>\r\n'), print it and send 'ping\r\n'
// TODO 3: on the second line, print it and end()
