#!/usr/bin/env bash
# tcp-bulk reference solution.
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
total=$(wc -c <&3)
echo "$total"
exec 3>&-
