# Buggy http-upload-server: http.server's default protocol_version is HTTP/1.0, which never
# calls handle_expect_100: the server waits for a body the client holds back until 100.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Upload(BaseHTTPRequestHandler):
    def do_POST(self):
        n = len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        body = f"got {n} bytes\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Upload).serve_forever()
