# Does the greeting dance right, then resets the connection instead of closing it.
import os, socket, struct
s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
f = s.makefile("rb")
print(f.readline().decode().strip())
s.sendall(b"ping\r\n")
print(f.readline().decode().strip())
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()
