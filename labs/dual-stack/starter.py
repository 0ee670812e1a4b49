# dual-stack: connect over IPv4, then over IPv6, and print what the server says each time.
import os
import socket

port = int(os.environ["NETLAB_PORT"])
hosts = [os.environ["NETLAB_HOST"], "::1"]  # 127.0.0.1, then the IPv6 loopback

# TODO: for each host: socket.create_connection((host, port)), read until recv() returns b"",
#       print the answer (without its newline), close
