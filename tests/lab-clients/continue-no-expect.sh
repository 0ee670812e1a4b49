#!/usr/bin/env bash
# No Expect header (curl -H "Expect:" removes it).
curl -s -H "Expect:" -H "Content-Type: text/plain" --data "netlab rocks" -w "\n%{http_code}" "http://$NETLAB_HOST:$NETLAB_PORT/upload" | tac
