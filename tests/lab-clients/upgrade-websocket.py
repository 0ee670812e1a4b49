# Asks for a protocol the server does not speak.
import os, socket
host, port = os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])
with socket.create_connection((host, port)) as s:
    s.sendall(b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
    print(s.recv(4096).split(b"\r\n")[0].decode())
    s.shutdown(socket.SHUT_WR)
    s.recv(4096)
