# http-upgrade: switch to raw bytes after 101.
import socket
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: connect; send the GET /chat head with Connection: Upgrade and Upgrade: netlab-echo
# TODO: read until b"\r\n\r\n" (the 101), then send b"hi\n", print the echo, shutdown
