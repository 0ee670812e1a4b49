#!/usr/bin/env bash
# Two curl commands: two connections.
curl -s "http://$NETLAB_HOST:$NETLAB_PORT/one"; echo
curl -s "http://$NETLAB_HOST:$NETLAB_PORT/two"; echo
