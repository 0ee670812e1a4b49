# Buggy unix-echo-server: echoes and removes its socket on SIGTERM, but never ends its side
# after the client's end (no shutdown(SHUT_WR), and the thread keeps the socket open).
import os
import signal
import socketserver
import sys
import time

PATH = os.environ["NETLAB_SOCKET"]


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)
        time.sleep(60)


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def stop(signum, frame):
    os.unlink(PATH)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
with Server(PATH, Echo) as server:
    server.serve_forever()
