// Does not verify certificates (rejectUnauthorized: false): it talks to the impostor.
const https = require('https');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);
https.get({ host, port, path: '/hello', rejectUnauthorized: false }, (res) => {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => {
    console.log('refused nothing');
    console.log(res.statusCode);
    console.log(body);
  });
});
