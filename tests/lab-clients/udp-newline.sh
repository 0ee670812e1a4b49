#!/usr/bin/env bash
# Sends "Hello Node.js\n" (14 bytes: echo adds a newline).
exec 3<>"/dev/udp/$NETLAB_HOST/$NETLAB_PORT"
echo 'Hello Node.js' >&3
IFS= read -r -t 5 -N 4 reply <&3
echo "$reply"
