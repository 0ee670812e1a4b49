# http-get: GET /hello with Accept: text/plain; print status, then body.
import http.client
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: conn = http.client.HTTPConnection(host, port)
# TODO: conn.request("GET", "/hello", headers={"Accept": "text/plain"}); r = conn.getresponse()
# TODO: print(r.status) and the body
