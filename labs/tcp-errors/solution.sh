#!/usr/bin/env bash
# tcp-errors reference solution: curl's exit status names the failure.
set -uo pipefail
url="telnet://$NETLAB_HOST:$NETLAB_PORT"

for i in 1 2 3; do
  printf 'hello\n' | curl -sS --max-time 1 "$url" 2>/dev/null
  case $? in
    56) echo ECONNRESET ;;
    28) echo timeout ;;
    7) echo ECONNREFUSED ;;
    *) echo "other ($?)" ;;
  esac
done
