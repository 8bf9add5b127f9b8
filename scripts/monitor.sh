#!/usr/bin/env bash
# `make monitor`: a local Prometheus in the foreground, scraping what `make up` runs (the
# gateway and the five side servers, at the ports the APEX_* settings give) every 5 s, with
# deploy/monitoring/alerts.yaml loaded. Its config and data go to var/prometheus/; Ctrl-C stops
# it. Prometheus is Debian's package `prometheus` (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v prometheus >/dev/null || scripts/system-packages.sh --monitor
dir=var/prometheus
mkdir -p "$dir/data"
cp deploy/monitoring/alerts.yaml "$dir/alerts.yaml"

host=${APEX_GATEWAY_HOST:-127.0.0.1}
side=${APEX_SIDE_HOST:-127.0.0.1}
listen=${PROMETHEUS_LISTEN:-127.0.0.1:9090}  # not an APEX setting: only this script reads it
job() {  # name, address
  printf '  - job_name: %s\n    static_configs:\n      - targets: ["%s"]\n' "$1" "$2"
}
{
  echo "# written by scripts/monitor.sh; changes are lost at the next \`make monitor\`"
  echo "global:"
  echo "  scrape_interval: 5s"
  echo "  evaluation_interval: 5s"
  echo "rule_files:"
  echo "  - alerts.yaml"
  echo "scrape_configs:"
  job gateway "$host:${APEX_GATEWAY_PORT:-8080}"
  job project-service "$side:${APEX_PROJECT_PORT:-8101}"
  job signage-service "$side:${APEX_SIGNAGE_PORT:-8102}"
  job notification-service "$side:${APEX_NOTIFICATION_PORT:-8103}"
  job document-service "$side:${APEX_DOCUMENT_PORT:-8104}"
  job audit-service "$side:${APEX_AUDIT_PORT:-8105}"
} > "$dir/prometheus.yml"
promtool check config "$dir/prometheus.yml" >/dev/null

echo "Prometheus on http://$listen (alerts: http://$listen/alerts); Ctrl-C stops it"
exec prometheus \
  --config.file="$dir/prometheus.yml" \
  --storage.tsdb.path="$dir/data" \
  --storage.tsdb.retention.time=2d \
  --web.listen-address="$listen"
