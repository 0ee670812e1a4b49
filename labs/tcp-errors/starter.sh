#!/usr/bin/env bash
# tcp-errors: three connections, one line each naming what went wrong.
set -uo pipefail
url="telnet://$NETLAB_HOST:$NETLAB_PORT"

for i in 1 2 3; do
  # TODO: printf 'hello\n' | curl -sS --max-time 1 "$url"; then turn curl's exit status
  #       (56, 28, 7) into ECONNRESET, timeout, ECONNREFUSED
  :
done
