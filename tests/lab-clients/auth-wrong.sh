#!/usr/bin/env bash
# Wrong password.
curl -s -u netlab:secret "http://$NETLAB_HOST:$NETLAB_PORT/secret"; echo
