#!/usr/bin/env bash
# Make sure PostgreSQL, Redis and RabbitMQ answer; start any that is installed but stopped.
set -euo pipefail

wait_for() { # name, tries, command...
  local name=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "error: $name does not answer" >&2; return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  wait_for PostgreSQL 30 pg_isready -h 127.0.0.1 -p 5432 -q
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis 30 sh -c 'redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG'
fi

if ! rabbitmq-diagnostics -q check_port_connectivity >/dev/null 2>&1; then
  echo "starting RabbitMQ"
  rabbitmq-server -detached || true
  # await_startup right after -detached can exit 69 before the node registers: retry.
  wait_for RabbitMQ 90 rabbitmqctl await_startup
fi

vhost=${APEX_AMQP_VHOST:-}
if [ -n "$vhost" ] && ! rabbitmqctl -q list_vhosts | grep -qx "$vhost"; then
  rabbitmqctl -q add_vhost "$vhost"
  rabbitmqctl -q set_permissions -p "$vhost" guest ".*" ".*" ".*"
fi
echo "PostgreSQL, Redis and RabbitMQ answer"
