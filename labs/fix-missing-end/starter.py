# fix-missing-end: this client is BROKEN. It should send hello\r\n to the echo server, print
# the echo (hello) and exit — but it never prints anything and never exits.
# Run it with `netlab check fix-missing-end`, read the report, and fix it (one line).
import os
import socket

s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
s.sendall(b"hello\r\n")
got = b""
while True:
    chunk = s.recv(1024)
    if not chunk:  # the server's FIN: it has sent everything
        break
    got += chunk
print(got.decode().strip())
s.close()
