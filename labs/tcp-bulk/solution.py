# tcp-bulk reference solution.
import os
import socket

with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))) as s:
    total = 0
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        total += len(chunk)
    print(total)
    s.shutdown(socket.SHUT_WR)
