// Listens on a port of its own choosing instead of NETLAB_PORT.
require('net').createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
