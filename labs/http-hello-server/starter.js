// http-hello-server: answer GET /hello with 200 "Hello World", anything else with 404.
const http = require('http');

const server = http.createServer((req, res) => {
  // TODO: look at req.url; writeHead(200) and end('Hello World\n') for /hello
  // TODO: writeHead(404) and end() for every other path
});
server.listen(Number(process.env.NETLAB_PORT), process.env.NETLAB_HOST);
