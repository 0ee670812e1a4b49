#!/usr/bin/env bash
# All ten at once.
export base="http://$NETLAB_HOST:$NETLAB_PORT"
seq 0 9 | xargs -P 10 -I{} bash -c 'b=$(curl -s "$base/slow/{}"); echo "$b"' | sort -n
