# http-post-continue: send the body only after 100 Continue.
import socket
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: connect, send the head with Expect: 100-continue and Content-Length: 12
# TODO: read until b"\r\n\r\n" (the 100 Continue), then send b"netlab rocks"
# TODO: read the final response; print its status code and body
