# http-agent-pool reference solution.
import http.client
from concurrent.futures import ThreadPoolExecutor
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])


def fetch(i):
    conn = http.client.HTTPConnection(host, port)
    conn.request("GET", f"/slow/{i}")
    body = conn.getresponse().read().decode()
    conn.close()
    return int(body)


with ThreadPoolExecutor(max_workers=5) as pool:
    bodies = list(pool.map(fetch, range(10)))
for b in sorted(bodies):
    print(b)
