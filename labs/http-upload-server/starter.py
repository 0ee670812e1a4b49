# http-upload-server: POST /upload answers b"got N bytes"; refuse more than 1 MiB with 417.
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Upload(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    # TODO: handle_expect_100(self): send_error(417) and return False when Content-Length > 1 MiB

    def do_POST(self):
        # TODO: read the body (Content-Length, or chunked: size lines until a 0-size chunk)
        body = b"TODO\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Upload)
server.serve_forever()
