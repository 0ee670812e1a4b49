# Reads only the first 100 KiB, then closes.
import os, socket
s = socket.create_connection((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
got = 0
while got < 100 * 1024:
    got += len(s.recv(65536))
print(got)
s.close()
