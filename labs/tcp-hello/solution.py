# tcp-hello reference solution.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

with socket.create_connection((host, port)) as s:
    s.sendall(b"hello\r\n")
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = s.recv(1024)
        if not chunk:
            break
        data += chunk
    print(data.decode().strip())
    s.shutdown(socket.SHUT_WR)
    s.recv(1024)  # wait for the server's own end (EOF)
