#!/usr/bin/env bash
# Does not trust the CA (no --cacert): the handshake fails.
curl -s -w "\n%{http_code}" "https://$NETLAB_HOST:$NETLAB_PORT/hello" | tac
