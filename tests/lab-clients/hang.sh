#!/usr/bin/env bash
# Connects, then never finishes.
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
sleep 600
