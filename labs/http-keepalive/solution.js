// http-keepalive reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function get(path, then) {
  http.get({ host, port, path, agent }, (res) => {
    let body = '';
    res.on('data', (d) => { body += d; });
    res.on('end', () => { console.log(body); then(); });
  });
}
get('/one', () => get('/two', () => agent.destroy()));
