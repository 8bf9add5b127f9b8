#!/usr/bin/env bash
# Run every service under supervisord (restarts any that exits), wait until all are ready,
# print where to reach the gateway; Ctrl-C stops everything gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p var/log

.venv/bin/supervisord -c deploy/supervisord.conf &
supervisor=$!
trap 'kill -TERM $supervisor 2>/dev/null; wait $supervisor' INT TERM

host=${APEX_GATEWAY_HOST:-127.0.0.1}
gateway="http://$host:${APEX_GATEWAY_PORT:-8080}"
side=${APEX_SIDE_HOST:-127.0.0.1}
ready_urls=(
  "$gateway/ready"
  "http://$side:${APEX_PROJECT_PORT:-8101}/ready"
  "http://$side:${APEX_SIGNAGE_PORT:-8102}/ready"
  "http://$side:${APEX_NOTIFICATION_PORT:-8103}/ready"
  "http://$side:${APEX_DOCUMENT_PORT:-8104}/ready"
  "http://$side:${APEX_AUDIT_PORT:-8105}/ready"
)
for url in "${ready_urls[@]}"; do
  for _ in $(seq 60); do
    curl -fs "$url" >/dev/null 2>&1 && break
    kill -0 $supervisor 2>/dev/null || exit 1
    sleep 0.5
  done
  curl -fs "$url" >/dev/null || { echo "not ready: $url" >&2; }
done
token=$(.venv/bin/apex token --account demo --sub dev --roles admin --ttl 86400)
echo
echo "APEX is up: gateway $gateway  (Ctrl-C stops everything)"
echo "  API docs:          $gateway/docs"
echo "  development token (account demo, user dev, admin; 24 h):"
echo "  export TOKEN=$token"
echo "  curl -s -H \"Authorization: Bearer \$TOKEN\" $gateway/projects"
echo
wait $supervisor
