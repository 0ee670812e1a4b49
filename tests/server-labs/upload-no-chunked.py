# Buggy http-upload-server: reads only Content-Length bodies; a chunked body (no length)
# counts as 0 bytes.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Upload(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_expect_100(self):
        if int(self.headers.get("Content-Length", "0")) > 1 << 20:
            self.send_error(417)
            return False
        return super().handle_expect_100()

    def do_POST(self):
        n = len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        body = f"got {n} bytes\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Upload).serve_forever()
