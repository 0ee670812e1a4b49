// tcp-errors: three connections, one line each naming what went wrong.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// attempt(): connect, write 'hello\n', and resolve with one word:
//   the 'error' event's err.code, or 'timeout' after 1 s of silence (socket.setTimeout)
function attempt() {
  return new Promise((resolve) => {
    // TODO
  });
}

(async () => {
  for (let i = 0; i < 3; i++) {
    console.log(await attempt());
  }
})();
