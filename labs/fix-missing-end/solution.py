# fix-missing-end reference solution: shut down our sending side (a FIN), so the echo server
# ends its side too and recv() returns b"".
import os
import socket

s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
s.sendall(b"hello\r\n")
s.shutdown(socket.SHUT_WR)  # "I am done sending"
got = b""
while True:
    chunk = s.recv(1024)
    if not chunk:  # the server's FIN: it has sent everything
        break
    got += chunk
print(got.decode().strip())
s.close()
