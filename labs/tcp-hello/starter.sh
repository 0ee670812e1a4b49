#!/usr/bin/env bash
# tcp-hello: say hello to the echo server, using bash's /dev/tcp.
set -euo pipefail

# TODO 1: open the connection:   exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
# TODO 2: send hello\r\n:        printf 'hello\r\n' >&3
# TODO 3: read one line and print it without the \r
# TODO 4: close the connection:  exec 3>&-
