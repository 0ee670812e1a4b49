# Starts, says so, and never opens a socket.
import sys, time
print("starting up...", file=sys.stderr, flush=True)
time.sleep(3600)
