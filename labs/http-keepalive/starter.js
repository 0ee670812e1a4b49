// http-keepalive: GET /one then GET /two on one connection.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: an agent with keepAlive: true (or the default agent)
// TODO: GET /one; when its response ends, GET /two; print each body
