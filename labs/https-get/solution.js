// https-get reference solution.
const https = require('https');
const fs = require('fs');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

const ca = fs.readFileSync(process.env.NETLAB_CA);

function get(onResponse, onError) {
  https.get({ host, port, path: '/hello', ca }, onResponse).on('error', onError);
}

function print(res) {
  let body = '';
  res.on('data', (d) => { body += d; });
  res.on('end', () => {
    console.log(res.statusCode);
    console.log(body);
  });
}

// The first handshake meets the impostor: verification (on by default) refuses it.
get(() => {
  console.log('accepted an untrusted certificate');
  process.exit(1);
}, (err) => {
  console.log(`refused ${err.code}`);
  // Every later handshake gets the real certificate.
  get(print, (e) => { console.log(`error ${e.code}`); process.exitCode = 1; });
});
