#!/usr/bin/env bash
# `make clients`: write the gateway's OpenAPI document (built in-process from the route modules,
# as /openapi.json serves it) and regenerate both clients from it.
#   scripts/generate-clients.sh [OUT]   OUT defaults to clients/; tests/clients writes to a
#   temporary folder and compares it with what is checked in.
# Writes OUT/openapi.json, OUT/typescript/src/schema.ts (openapi-typescript) and
# OUT/python/src/apex_client/generated/ (openapi-python-client); nothing hand-written.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="$(mkdir -p "${1:-$ROOT/clients}" && cd "${1:-$ROOT/clients}" && pwd)"
BIN="$ROOT/.venv/bin"
OPENAPI_TS="$ROOT/clients/typescript/node_modules/.bin/openapi-typescript"
for tool in "$BIN/python" "$BIN/openapi-python-client" "$BIN/ruff" "$OPENAPI_TS"; do
  [[ -x "$tool" ]] || { echo "error: $tool is missing: run 'make install'" >&2; exit 1; }
done

"$BIN/python" -m apex_gateway.openapi_json > "$OUT/openapi.json"

mkdir -p "$OUT/typescript/src"
# a member with a default is optional, as the document says (openapi-typescript 7 would make it
# required, which refuses a request body that leaves it out)
"$OPENAPI_TS" "$OUT/openapi.json" --output "$OUT/typescript/src/schema.ts" --silent \
  --default-non-nullable false

mkdir -p "$OUT/python/src/apex_client"
# the post hooks (clients/python/generator.yaml) run the workspace's pinned ruff
PATH="$BIN:$PATH" "$BIN/openapi-python-client" generate --path "$OUT/openapi.json" --meta none \
  --config "$ROOT/clients/python/generator.yaml" --overwrite \
  --output-path "$OUT/python/src/apex_client/generated" > "$OUT/python/generator.log" 2>&1 \
  || { cat "$OUT/python/generator.log" >&2; exit 1; }
rm "$OUT/python/generator.log"
