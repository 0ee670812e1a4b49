// dual-stack: connect over IPv4, then over IPv6, and print what the server says each time.
const net = require('net');
const port = Number(process.env.NETLAB_PORT);
const hosts = [process.env.NETLAB_HOST, '::1'];   // 127.0.0.1, then the IPv6 loopback

// TODO: for each host in turn (the second only after the first ended):
//       connect, collect the 'data', print it on 'end'
