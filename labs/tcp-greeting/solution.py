# tcp-greeting reference solution.
import os
import socket

with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))) as s:
    lines = s.makefile("rb")
    print(lines.readline().decode().strip())
    s.sendall(b"ping\r\n")
    print(lines.readline().decode().strip())
    s.shutdown(socket.SHUT_WR)
    lines.read()  # until the server's end
