# Builds all 32 MiB of lines first (a list of 4 million strings), then sends it: correct
# bytes, but the whole payload — and more — sits in the server's memory.
import os, socket, socketserver
LINES = 1 << 22

class Bulk(socketserver.BaseRequestHandler):
    def handle(self):
        lines = [f"{i:07d}\n" for i in range(LINES)]
        self.request.sendall("".join(lines).encode())
        self.request.shutdown(socket.SHUT_WR)

class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

with Server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Bulk) as s:
    s.serve_forever()
