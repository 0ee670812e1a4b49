# http-hello-server: http.server speaks HTTP/1.1 (keep-alive, pipelining, 400 for garbage)
# once protocol_version says so; every response carries Content-Length.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status, body = (200, b"Hello World\n") if self.path == "/hello" else (404, b"Not Found\n")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep stderr for real problems


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Hello)
print("listening on", server.server_address[1], flush=True)
server.serve_forever()
