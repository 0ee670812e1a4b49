// https-get: GET /hello over TLS, trusting only the CA in NETLAB_CA.
const https = require('https');
const fs = require('fs');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: https.get({ host, port, path: '/hello', ca: fs.readFileSync(process.env.NETLAB_CA) }, (res) => { ... })
// TODO: print res.statusCode, then the body
