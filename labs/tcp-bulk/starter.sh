#!/usr/bin/env bash
# tcp-bulk: read until the server ends, then report the total (bash's /dev/tcp).
set -euo pipefail

# TODO 1: exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
# TODO 2: count every byte until end-of-file:  wc -c <&3
# TODO 3: print the count, then exec 3>&-
