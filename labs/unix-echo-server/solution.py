# unix-echo-server: a thread per connection on a Unix socket path; the path is a file that
# outlives the process unless we remove it, so SIGTERM closes the server and unlinks it.
import os
import signal
import socket
import socketserver
import sys

PATH = os.environ["NETLAB_SOCKET"]


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        while True:
            data = sock.recv(65536)
            if not data:
                break
            sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)


class Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True


def stop(signum, frame):
    os.unlink(PATH)
    sys.exit(0)


signal.signal(signal.SIGTERM, stop)
with Server(PATH, Echo) as server:
    print("listening on", PATH, flush=True)
    server.serve_forever()
