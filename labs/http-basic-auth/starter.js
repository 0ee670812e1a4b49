// http-basic-auth: GET /secret with Basic credentials.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: http.get({ host, port, path: '/secret', auth: 'netlab:sockets' }, (res) => { ...print the body... })
