# http-keepalive reference solution.
import http.client
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

conn = http.client.HTTPConnection(host, port)
for path in ("/one", "/two"):
    conn.request("GET", path)
    print(conn.getresponse().read().decode())
conn.close()
