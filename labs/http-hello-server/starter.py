# http-hello-server: answer GET /hello with 200 "Hello World", anything else with 404.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hello(BaseHTTPRequestHandler):
    # TODO: protocol_version = "HTTP/1.1" (keep-alive), and a Content-Length on every response

    def do_GET(self):
        # TODO: 200 + "Hello World" for /hello, 404 otherwise
        pass


ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Hello).serve_forever()
