#!/usr/bin/env bash
# Plain HTTP to the TLS port.
curl -s -w "\n%{http_code}" "http://$NETLAB_HOST:$NETLAB_PORT/hello" | tac
