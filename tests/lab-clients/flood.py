# Floods the server with 1 GiB and never reads the echo (so the server's writes back up).
import os, socket
s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
chunk = b"x" * 65536
for _ in range(16384):
    s.sendall(chunk)
