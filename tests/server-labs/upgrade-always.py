# Buggy http-upgrade-server: switches every GET /chat, even one that never asked to upgrade.
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Chat(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(101)
        self.send_header("Upgrade", "netlab-echo")
        self.send_header("Connection", "Upgrade")
        self.end_headers()
        while True:
            data = self.rfile.read1(65536)
            if not data:
                break
            self.wfile.write(data)
        self.connection.shutdown(socket.SHUT_WR)
        self.close_connection = True

    def log_message(self, format, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Chat).serve_forever()
