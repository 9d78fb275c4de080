#!/usr/bin/env bash
# Installs redis-server and redis-cli (Debian's package redis-server) when they are missing.
# The chunk store's Redis tests start real servers on loopback ports (a standalone server and a
# three-node cluster) and fail when these programs are absent; they never mock Redis.
# Maven runs it before the tests (pom.xml, execution redis-for-tests). Debian's package starts a
# system service on port 6379 where an init system runs; the tests start their own servers on free
# ports and never use it.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" install-redis.sh "redis-server redis-cli" redis-server
