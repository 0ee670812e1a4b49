#!/usr/bin/env bash
# Only the first request.
curl -s "http://$NETLAB_HOST:$NETLAB_PORT/one"; echo
echo two
