# A correct echo server that ignores SIGTERM and leaves a daemon behind.
import os, signal, socketserver, subprocess, sys
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)", sys.argv[1] if len(sys.argv) > 1 else "TOKEN"],
                 start_new_session=True, env={})
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        import socket
        while True:
            d = self.request.recv(65536)
            if not d:
                break
            self.request.sendall(d)
        self.request.shutdown(socket.SHUT_WR)
class S(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
S((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])), Echo).serve_forever()
