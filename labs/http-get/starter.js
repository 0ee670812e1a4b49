// http-get: GET /hello with Accept: text/plain; print status, then body.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: http.get({ host, port, path: '/hello', headers: { Accept: 'text/plain' } }, (res) => { ... })
