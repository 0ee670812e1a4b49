# http-keepalive: GET /one then GET /two on one connection.
import http.client
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: one HTTPConnection; request /one, read and print; request /two, read and print
