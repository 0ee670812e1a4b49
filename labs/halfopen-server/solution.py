# halfopen-server: read to the client's FIN, then answer and close.
import os
import socketserver
import time


class HalfOpen(socketserver.BaseRequestHandler):
    def handle(self):
        n = 0
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            n += len(data)
        time.sleep(0.1)  # look something up before answering
        self.request.sendall(f"got {n} bytes\r\n".encode())


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), HalfOpen) as server:
    print("listening on", server.server_address[1], flush=True)
    server.serve_forever()
