# dual-stack reference solution.
import os
import socket

port = int(os.environ["NETLAB_PORT"])

for host in [os.environ["NETLAB_HOST"], "::1"]:
    # create_connection picks the family from the address: AF_INET6 for "::1".
    with socket.create_connection((host, port)) as s:
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
        print(answer.decode().rstrip("\n"))
