#!/usr/bin/env bash
# udp-ping: one datagram, one reply (bash's /dev/udp).
set -euo pipefail

# TODO 1: exec 3<>"/dev/udp/$NETLAB_HOST/$NETLAB_PORT"
# TODO 2: printf 'Hello Node.js' >&3   (printf, not echo: no newline)
# TODO 3: read the 4-byte reply with a timeout and print it
