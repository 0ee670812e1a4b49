# Connects, sends half, then crashes (kill -9 of itself).
import os, signal, socket
s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
s.sendall(b"hel")
os.kill(os.getpid(), signal.SIGKILL)
