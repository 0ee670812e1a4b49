# http-basic-auth: GET /secret with Basic credentials.
import base64
import http.client
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: token = base64.b64encode(b"netlab:sockets").decode()
# TODO: request GET /secret with headers={"Authorization": "Basic " + token}; print the body
