// http-get reference solution.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

http.get({ host, port, path: '/hello', headers: { Accept: 'text/plain' } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => { body += d; });
  res.on('end', () => {
    console.log(res.statusCode);
    console.log(body);
  });
});
