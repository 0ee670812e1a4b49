// http-agent-pool reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);
const agent = new http.Agent({ maxSockets: 5 });
const bodies = [];
for (let i = 0; i < 10; i += 1) {
  http.get({ host, port, path: `/slow/${i}`, agent }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => {
      bodies.push(Number(body));
      if (bodies.length === 10) {
        bodies.sort((a, b) => a - b).forEach((b) => console.log(b));
        agent.destroy();
      }
    });
  });
}
