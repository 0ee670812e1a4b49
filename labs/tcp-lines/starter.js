// tcp-lines: print every line the server sends, numbered — whatever the data chunks are.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO 1: connect with net.connect({ host, port })
// TODO 2: on 'data', append the chunk to a buffer; print each complete line as `${n} ${line}`
//         and keep the unfinished rest for the next chunk
// TODO 3: the server ends when it is done: Node then ends your side too
