#!/usr/bin/env bash
# dual-stack reference solution (bash's /dev/tcp takes IPv6 literals too).
set -euo pipefail
for host in "$NETLAB_HOST" ::1; do
  exec 3<>"/dev/tcp/$host/$NETLAB_PORT"
  IFS= read -r line <&3
  echo "$line"
  exec 3>&-
done
