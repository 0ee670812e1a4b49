# http-upgrade-server: http.server parses the upgrade request; after the 101 we read raw bytes
# from rfile — its buffer may already hold bytes the client sent right behind the request.
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Chat(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        upgrade = self.headers.get("Upgrade", "").lower()
        connection = self.headers.get("Connection", "").lower()
        if upgrade != "netlab-echo" or "upgrade" not in connection:
            body = b"this endpoint speaks netlab-echo: send Upgrade: netlab-echo\n"
            self.send_response(426)
            self.send_header("Upgrade", "netlab-echo")
            self.send_header("Connection", "Upgrade")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(101)
        self.send_header("Upgrade", "netlab-echo")
        self.send_header("Connection", "Upgrade")
        self.end_headers()
        while True:
            data = self.rfile.read1(65536)  # buffered bytes first, then the socket
            if not data:
                break
            self.wfile.write(data)
        self.connection.shutdown(socket.SHUT_WR)
        self.close_connection = True

    def log_message(self, format, *args):
        pass  # keep stderr for real problems


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Chat)
print("listening on", server.server_address[1], flush=True)
server.serve_forever()
