#!/usr/bin/env bash
# tcp-lines: print every line the server sends, numbered (bash's /dev/tcp).
set -euo pipefail

# TODO 1: open the connection:      exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
# TODO 2: read line by line until EOF and print "$n $line"
# TODO 3: close the connection:     exec 3>&-
