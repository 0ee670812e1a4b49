# bulk-server: on each connection, write the lines 0000000\n … 4194303\n (32 MiB), 64 KiB at a
# time. sendall() blocks while the client is slow to read: that is Python's backpressure, so
# only one chunk is ever held. shutdown(SHUT_WR) is our end (FIN).
import os
import socket
import socketserver

LINES = 1 << 22
PER_WRITE = 8192  # lines per sendall: 64 KiB


class Bulk(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        for start in range(0, LINES, PER_WRITE):
            chunk = "".join(f"{i:07d}\n" for i in range(start, min(start + PER_WRITE, LINES)))
            sock.sendall(chunk.encode())
        sock.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Bulk) as server:
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()
