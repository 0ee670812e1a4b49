// tcp-bulk: read until the server ends, then report the total.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO 1: connect
// TODO 2: add up chunk.length on every 'data'
// TODO 3: on 'end', print the total and call end()
