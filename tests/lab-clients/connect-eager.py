# Sends through the tunnel before the 200.
import os, socket
host, port = os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])
with socket.create_connection((host, port)) as s:
    s.sendall(b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\ntunnel\n")
    s.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := s.recv(4096):
        data += chunk
    print(data.split(b"\r\n\r\n", 1)[1].decode().strip())
