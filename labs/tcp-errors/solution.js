// tcp-errors reference solution.
const net = require('net');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// One connection; resolves with the error's code, or 'timeout' after 1 s of silence.
function attempt() {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => s.write('hello\n'));
    s.setTimeout(1000, () => {
      s.destroy();          // 'timeout' closes nothing by itself
      resolve('timeout');
    });
    s.on('data', () => {}); // an answer would end up here
    s.on('error', (err) => resolve(err.code));
    s.on('close', () => resolve('closed'));  // first resolve wins
  });
}

(async () => {
  for (let i = 0; i < 3; i++) {
    console.log(await attempt());
  }
})();
