#!/usr/bin/env bash
# No Accept header.
curl -s -w "\n%{http_code}" "http://$NETLAB_HOST:$NETLAB_PORT/hello" | tac
