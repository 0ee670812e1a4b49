# HTTP/1.1 keep-alive without Content-Length: a client cannot tell where the body ends.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.send_response(200 if self.path == "/hello" else 404)
        self.end_headers()
        self.wfile.write(b"Hello World\n")
    def log_message(self, *a):
        pass
ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), H).serve_forever()
