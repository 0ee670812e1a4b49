# tcp-idle reference solution.
import os
import socket

with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))) as s:
    s.sendall(b"hi\r\n")
    for line in s.makefile("rb"):
        print(line.decode().strip(), flush=True)
    s.shutdown(socket.SHUT_WR)
