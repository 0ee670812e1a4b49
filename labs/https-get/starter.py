# https-get: GET /hello over TLS, trusting only the CA in NETLAB_CA.
import http.client
import ssl
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: ctx = ssl.create_default_context(cafile=os.environ["NETLAB_CA"])
# TODO: conn = http.client.HTTPSConnection(host, port, context=ctx); GET /hello; print status and body
