#!/usr/bin/env bash
# http-agent-pool: ten slow requests through a pool of five.
set -euo pipefail
# TODO: seq 0 9 | xargs -P 5 -I{} ... curl -s "http://$NETLAB_HOST:$NETLAB_PORT/slow/{}" ... | sort -n
