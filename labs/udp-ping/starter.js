// udp-ping: one datagram, one reply.
const dgram = require('dgram');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO 1: const socket = dgram.createSocket('udp4')
// TODO 2: on 'message', print the reply and close the socket
// TODO 3: send 'Hello Node.js' to port, host
