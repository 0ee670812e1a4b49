#!/usr/bin/env bash
# http-post-continue: send the body only after 100 Continue.
set -euo pipefail
# TODO: curl -s -H 'Expect: 100-continue' --expect100-timeout 10 -H 'Content-Type: text/plain' \
#        --data 'netlab rocks' -w ... "http://$NETLAB_HOST:$NETLAB_PORT/upload"
