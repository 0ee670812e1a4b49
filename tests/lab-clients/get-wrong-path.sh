#!/usr/bin/env bash
# Wrong path.
curl -s -H "Accept: text/plain" "http://$NETLAB_HOST:$NETLAB_PORT/hi"
