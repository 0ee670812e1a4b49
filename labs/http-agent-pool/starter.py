# http-agent-pool: ten slow requests through a pool of five.
import http.client
from concurrent.futures import ThreadPoolExecutor
import os

host = os.environ["NETLAB_HOST"]
port = int(os.environ["NETLAB_PORT"])

# TODO: def fetch(i): GET /slow/{i} on its own HTTPConnection, return the body
# TODO: with ThreadPoolExecutor(max_workers=5) as pool: bodies = list(pool.map(fetch, range(10)))
# TODO: print the bodies sorted
