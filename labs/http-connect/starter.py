# http-connect: a tunnel through CONNECT.
import socket
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: connect; send b"CONNECT echo.netlab:7 HTTP/1.1\r\nHost: echo.netlab:7\r\n\r\n"
# TODO: read until b"\r\n\r\n", then send b"tunnel\n", print the echo, shutdown
