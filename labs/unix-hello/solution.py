# unix-hello reference solution.
import os
import socket

with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.connect(os.environ["NETLAB_SOCKET"])
    s.sendall(b"hello\r\n")
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    print(data.decode().strip())
    s.shutdown(socket.SHUT_WR)
    s.recv(1024)
