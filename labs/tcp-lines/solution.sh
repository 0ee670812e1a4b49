#!/usr/bin/env bash
# tcp-lines reference solution (bash's /dev/tcp: read -r reassembles lines for us).
set -euo pipefail
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
n=0
while IFS= read -r line <&3; do
  n=$((n + 1))
  echo "$n $line"
done
exec 3>&-
