# https-server: serve GET /hello over TLS with NETLAB_CERT and NETLAB_KEY.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"Hello World\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Hello)
# TODO: wrap server.socket with an ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER) that loaded the
# certificate chain from NETLAB_CERT and NETLAB_KEY
server.serve_forever()
