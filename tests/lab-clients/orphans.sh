#!/usr/bin/env bash
# Leaves processes behind: a background child, a setsid escapee, and a double-forked one.
sleep 4242 &
setsid sleep 4243 &
( setsid bash -c 'sleep 4244 & exit 0' & ) 
printf 'hello\r\n' > /dev/null
exec 3<>"/dev/tcp/$NETLAB_HOST/$NETLAB_PORT"
printf 'hello\r\n' >&3
IFS= read -r line <&3
echo "${line%$'\r'}"
exec 3>&-
exit 0
