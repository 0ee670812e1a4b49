# http-upgrade-server: switch GET /chat to the netlab-echo protocol, then echo raw bytes.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Chat(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # TODO: with Upgrade: netlab-echo, send_response(101) with Upgrade and Connection headers,
        # then echo: self.rfile.read1(65536) until b"", self.wfile.write(...)
        self.send_response(426)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Chat)
server.serve_forever()
