# https-get reference solution.
import http.client
import ssl
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

ctx = ssl.create_default_context(cafile=os.environ["NETLAB_CA"])
conn = http.client.HTTPSConnection(host, port, context=ctx)
conn.request("GET", "/hello")
r = conn.getresponse()
print(r.status)
print(r.read().decode())
conn.close()
