// dual-stack reference solution.
const net = require('net');
const port = Number(process.env.NETLAB_PORT);

function ask(host) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let answer = '';
    s.on('data', (d) => { answer += d; });
    s.on('end', () => resolve(answer.trimEnd()));
    s.on('error', reject);
  });
}

(async () => {
  for (const host of [process.env.NETLAB_HOST, '::1']) {
    console.log(await ask(host));
  }
})();
