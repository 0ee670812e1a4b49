# http-upgrade reference solution.
import socket
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

head = f"GET /chat HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: Upgrade\r\nUpgrade: netlab-echo\r\n\r\n"
with socket.create_connection((host, port)) as s:
    s.sendall(head.encode())
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(1024)
        if not chunk:
            raise SystemExit("closed before the 101")
        got += chunk
    assert got.startswith(b"HTTP/1.1 101"), got
    s.sendall(b"hi\n")
    echo = got.split(b"\r\n\r\n", 1)[1]
    while not echo.endswith(b"\n"):
        echo += s.recv(1024)
    print(echo.decode().strip())
    s.shutdown(socket.SHUT_WR)
    s.recv(1024)
