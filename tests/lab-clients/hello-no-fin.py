# Sends hello and reads until EOF without ever shutting down its side: the echo server waits
# for its FIN, it waits for the server's, until netlab stops it at the limit.
import os, socket
s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
s.sendall(b"hello\r\n")
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
