# Sends "hello\n" (forgot the \r).
import os, socket
with socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))) as s:
    s.sendall(b"hello\n")
    print(s.recv(99).decode().strip())
    s.shutdown(socket.SHUT_WR)
    s.recv(99)
