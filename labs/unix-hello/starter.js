// unix-hello: say hello to the echo server over a Unix domain socket.
const net = require('net');
const path = process.env.NETLAB_SOCKET;

// TODO 1: connect with net.connect({ path }, onConnect)
// TODO 2: write 'hello\r\n'
// TODO 3: print the echo without its line ending, then end()
