// http-basic-auth reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

http.get({ host, port, path: '/secret', auth: 'netlab:sockets' }, (res) => {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => console.log(body));
});
