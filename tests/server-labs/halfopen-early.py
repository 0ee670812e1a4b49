# Answers as soon as bytes arrive, before the client has ended its side.
import os, socketserver
class H(socketserver.BaseRequestHandler):
    def handle(self):
        data = self.request.recv(65536)
        self.request.sendall(f"got {len(data)} bytes\r\n".encode())
        self.request.close()
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
S((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), H).serve_forever()
