#!/usr/bin/env bash
# No credentials.
curl -s "http://$NETLAB_HOST:$NETLAB_PORT/secret"; echo
