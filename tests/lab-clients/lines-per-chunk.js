// Treats every data chunk as one line: prints pieces of lines.
const sock = require('net').connect({ host: process.env.NETLAB_HOST, port: Number(process.env.NETLAB_PORT) });
let n = 0;
sock.on('data', (chunk) => {
  for (const line of String(chunk).split('\n')) {
    if (line) console.log(`${++n} ${line}`);
  }
});
