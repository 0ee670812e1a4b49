# http-basic-auth reference solution.
import base64
import http.client
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

token = base64.b64encode(b"netlab:sockets").decode()
conn = http.client.HTTPConnection(host, port)
conn.request("GET", "/secret", headers={"Authorization": "Basic " + token})
print(conn.getresponse().read().decode())
conn.close()
