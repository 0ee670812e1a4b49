# tcp-bulk: read until the server ends, then report the total.
import os
import socket

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO 1: connect
# TODO 2: recv() in a loop, adding up len(chunk), until it returns b""
# TODO 3: print the total, then close
