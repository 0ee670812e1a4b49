# http-upload-server: http.server reads neither body framing for us — Content-Length is a
# read(n), chunked is a loop over size lines — and handles Expect: 100-continue through
# handle_expect_100 (HTTP/1.1 only), where we decide between 100 and 417.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LIMIT = 1 << 20  # 1 MiB


class Upload(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_expect_100(self):
        if int(self.headers.get("Content-Length", "0")) > LIMIT:
            self.send_error(417, "too large")  # also says Connection: close
            return False
        return super().handle_expect_100()  # 100 Continue

    def body_length(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            n = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return n
                n += len(self.rfile.read(size))
                self.rfile.readline()  # the CRLF after the chunk
        return len(self.rfile.read(int(self.headers.get("Content-Length", "0"))))

    def do_POST(self):
        if self.path != "/upload":
            return self.answer(404, b"not found\n")
        self.answer(200, f"got {self.body_length()} bytes\n".encode())

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep stderr for real problems


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Upload)
print("listening on", server.server_address[1], flush=True)
server.serve_forever()
