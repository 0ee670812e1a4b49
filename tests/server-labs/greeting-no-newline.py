# Buggy greeting-server: the greeting lacks its \r\n; a line-reading client never sees it end.
import os
import socket
import socketserver


class Greet(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.sendall(b"Echo server")
        while True:
            data = sock.recv(65536)
            if not data:
                break
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Greet) as server:
    server.serve_forever()
