# tcp-lines reference solution.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

with socket.create_connection((host, port)) as s:
    buf = b""
    n = 0
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            n += 1
            print(n, line.decode())
    if buf:
        n += 1
        print(n, buf.decode())
    s.shutdown(socket.SHUT_WR)
