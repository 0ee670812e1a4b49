#!/usr/bin/env bash
# http-agent-pool reference solution: xargs keeps at most 5 curls running at once.
set -euo pipefail
export base="http://$NETLAB_HOST:$NETLAB_PORT"
# Each job prints its body with one echo (one write), so lines never interleave.
seq 0 9 | xargs -P 5 -I{} bash -c 'body=$(curl -s "$base/slow/{}"); echo "$body"' | sort -n
