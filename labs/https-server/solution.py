# https-server: http.server behind ssl: the listening socket is wrapped, so every accepted
# connection does the TLS handshake with the certificate and key netlab wrote.
import os
import ssl
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


context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(os.environ["NETLAB_CERT"], os.environ["NETLAB_KEY"])
ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Hello)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening on", server.server_address[1], flush=True)
server.serve_forever()
