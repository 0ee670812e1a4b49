# tcp-lines: print every line the server sends, numbered — whatever the recv() chunks are.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO 1: s = socket.create_connection((host, port))
# TODO 2: read until recv() returns b"" and print each complete line as f"{n} {line}"
#         (a recv() can end in the middle of a line: keep the rest for later)
# TODO 3: close the socket
