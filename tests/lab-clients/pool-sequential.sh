#!/usr/bin/env bash
# One request at a time.
for i in 0 1 2 3 4 5 6 7 8 9; do curl -s "http://$NETLAB_HOST:$NETLAB_PORT/slow/$i"; echo; done
