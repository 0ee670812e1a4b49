#!/usr/bin/env bash
# http-keepalive reference solution.
set -euo pipefail
base="http://$NETLAB_HOST:$NETLAB_PORT"
curl -s -w '\n' "$base/one" "$base/two"
