# udp-pong-server: answer every datagram with b"pong".
import os
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ["NETLAB_HOST"], int(os.environ["NETLAB_PORT"])))
while True:
    data, addr = s.recvfrom(2048)
    # TODO: send b"pong" back to addr
