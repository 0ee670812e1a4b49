#!/usr/bin/env bash
# Connects over IPv6 twice.
for host in ::1 ::1; do
  exec 3<>"/dev/tcp/$host/$NETLAB_PORT"
  IFS= read -r line <&3
  echo "$line"
  exec 3>&-
done
