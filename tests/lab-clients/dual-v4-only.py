# Connects over IPv4 twice.
import os
import socket

for _ in range(2):
    with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))) as s:
        print(s.makefile().readline().rstrip("\n"))
