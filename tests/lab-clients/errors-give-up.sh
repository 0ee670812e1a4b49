#!/usr/bin/env bash
# Stops at the first error.
printf 'hello\n' | curl -sS --max-time 1 "telnet://$NETLAB_HOST:$NETLAB_PORT" 2>/dev/null || echo ECONNRESET
