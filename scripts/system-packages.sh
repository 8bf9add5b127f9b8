#!/usr/bin/env bash
# Debian packages the services need at run time, installed when missing (quiet when present).
#   WeasyPrint (document-service): Pango for text layout, DejaVu as the package's font, and
#   HarfBuzz's subsetter (without it WeasyPrint falls back to fontTools: ~8x slower PDF writes).
#   pdftotext/pdftoppm are not needed: tests read PDFs with pypdf.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
# With --test, also what the tests need: Chromium, which opens /docs headless (tests/browser),
# Prometheus, whose promtool tests the alert rules (tests/deploy/test_monitoring.py), and jq,
# which README's walkthrough reads answers with (tests/e2e/test_readme_walkthrough.py).
# With --monitor, only Prometheus (`make monitor` runs its server).
case "${1:-}" in
  --test) PACKAGES+=(chromium prometheus jq) ;;
  --monitor) PACKAGES=(prometheus) ;;
esac

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in "${PACKAGES[@]}"; do
  installed "$package" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: install ${missing[*]} (needs root)" >&2; exit 1; }
  as_root=(sudo)
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
