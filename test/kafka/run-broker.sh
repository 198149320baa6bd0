#!/bin/sh
# Runs the test broker's JVM and makes sure it never outlives the Node process that started it, even
# when that process is killed with SIGKILL and can run no clean-up of its own (broker.ts starts this
# script in its own process group, so a Ctrl-C in the terminal reaches Node, which then stops us).
#
#   usage: run-broker.sh PARENT_PID WORK_DIR COMMAND [ARGS...]
#
# 1. Start COMMAND (the JVM) in the background.
# 2. Once a second, check that the parent and the JVM are both still alive.
# 3. On SIGTERM/SIGINT/SIGHUP, or as soon as the parent is gone, send the JVM SIGTERM (Kafka's shutdown
#    hook stops it cleanly), give it up to 20 seconds, then SIGKILL it.
# 4. Remove WORK_DIR (the broker's data and config) and exit with the JVM's status.
parent=$1
workdir=$2
shift 2

"$@" &
jvm=$!

stopping=0
trap 'stopping=1' TERM INT HUP
# SIGQUIT asks a JVM for a thread dump (jstack, jcmd, `kill -QUIT` to the process group): not for us.
trap '' QUIT

# The shell reaps the JVM when it exits (while waiting for the sleep below), so `kill -0` then fails.
while [ "$stopping" = 0 ] && kill -0 "$parent" 2>/dev/null && kill -0 "$jvm" 2>/dev/null; do
  sleep 1 &
  wait $! # a trapped signal interrupts this wait at once
done

if kill -0 "$jvm" 2>/dev/null; then
  kill -TERM "$jvm" 2>/dev/null
  tenths=0
  while kill -0 "$jvm" 2>/dev/null && [ "$tenths" -lt 200 ]; do
    sleep 0.1
    tenths=$((tenths + 1))
  done
  if kill -0 "$jvm" 2>/dev/null; then
    echo "run-broker.sh: the broker did not stop within 20 s of SIGTERM; sending SIGKILL"
    kill -KILL "$jvm" 2>/dev/null
  fi
fi
wait "$jvm"
status=$?
rm -rf "$workdir"
exit "$status"
