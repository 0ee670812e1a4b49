# http-get reference solution.
import http.client
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

conn = http.client.HTTPConnection(host, port)
conn.request("GET", "/hello", headers={"Accept": "text/plain"})
r = conn.getresponse()
print(r.status)
print(r.read().decode())
conn.close()
