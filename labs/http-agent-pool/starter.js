// http-agent-pool: ten slow requests through a pool of five.
const http = require('http');
const host = process.env.NETLAB_HOST;
const port = Number(process.env.NETLAB_PORT);

// TODO: const agent = new http.Agent({ maxSockets: 5 })
// TODO: start GET /slow/0 ... /slow/9 at once with that agent; collect the bodies
// TODO: when all ten are done, print them sorted, one per line
