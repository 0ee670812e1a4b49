// https-get reference solution.
const https = require('https');
const fs = require('fs');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const ca = fs.readFileSync(process.env.NETLAB_CA);
https.get({ host, port, path: '/hello', ca }, (res) => {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => {
    console.log(res.statusCode);
    console.log(body);
  });
});
