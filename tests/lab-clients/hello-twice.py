# Opens two connections.
import os, socket
addr = (os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))
for _ in range(2):
    with socket.create_connection(addr) as s:
        s.sendall(b"hello\r\n")
        data = s.recv(99)
        s.shutdown(socket.SHUT_WR)
        s.recv(99)
print("hello")
