# Buggy https-server: plain HTTP on the port — the client's TLS ClientHello gets an HTTP 400.
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

    def log_message(self, format, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Hello).serve_forever()
