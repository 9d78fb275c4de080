#!/usr/bin/env bash
# Installs redis-server and redis-cli (Debian's package redis-server) when they are missing.
# The chunk store's Redis tests start real servers on loopback ports (a standalone server and a
# three-node cluster) and fail when these programs are absent; they never mock Redis.
# Needs root (or password-less sudo) and apt-get; does nothing when both programs are already on
# the PATH. Maven runs it before the tests (pom.xml, execution redis-for-tests).
set -euo pipefail

if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-redis.sh: redis-server is missing and apt-get is not available; install Redis (redis-server, redis-cli) with this system's package manager" >&2
  exit 1
fi
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
  sudo="sudo -n"  # never wait for a password: fail and say so
fi
echo "install-redis.sh: installing redis-server with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends redis-server >/dev/null
# Debian's package starts a system service on port 6379 where an init system runs; the tests start
# their own servers on free ports and never use it.
command -v redis-server >/dev/null && command -v redis-cli >/dev/null
