# Reads once and believes it has everything.
import os
import socket

s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
data = s.recv(4096).decode()
for n, line in enumerate(data.split("\n"), 1):
    if line:
        print(n, line)
s.close()
