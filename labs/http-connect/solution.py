# http-connect reference solution.
import socket
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

with socket.create_connection((host, port)) as s:
    s.sendall(b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\n")
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(1024)
        if not chunk:
            raise SystemExit("closed before the 200")
        got += chunk
    assert got.startswith(b"HTTP/1.1 200"), got
    s.sendall(b"tunnel\n")
    echo = got.split(b"\r\n\r\n", 1)[1]
    while not echo.endswith(b"\n"):
        echo += s.recv(1024)
    print(echo.decode().strip())
    s.shutdown(socket.SHUT_WR)
    s.recv(1024)
