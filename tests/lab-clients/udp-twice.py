# Sends the datagram twice.
import os, socket
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.settimeout(5)
    addr = (os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"]))
    s.sendto(b"Hello Node.js", addr)
    s.sendto(b"Hello Node.js", addr)
    print(s.recvfrom(99)[0].decode())
    s.recvfrom(99)
