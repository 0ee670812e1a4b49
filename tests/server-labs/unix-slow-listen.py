# A correct Unix echo server that calls listen() 300 ms after bind(): the socket file exists
# before anyone listens, so netlab must wait for the listening entry, not only the file.
import os, signal, socket, sys, time, threading
PATH = os.environ["NETLAB_SOCKET"]
def stop(signum, frame):
    os.unlink(PATH); sys.exit(0)
signal.signal(signal.SIGTERM, stop)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(PATH)
time.sleep(0.3)   # the file exists, but nobody listens yet
s.listen(16)
def serve(c):
    while True:
        d = c.recv(65536)
        if not d: break
        c.sendall(d)
    c.shutdown(socket.SHUT_WR)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
