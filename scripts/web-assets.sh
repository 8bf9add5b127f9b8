#!/usr/bin/env bash
# The prebuilt AsyncAPI viewer `/docs/events` serves, fetched at build time (never at run time):
# the standalone bundle of npm's @asyncapi/react-component, which carries React and the
# AsyncAPI parser in one file. `npm pack` takes the package's own tarball, with none of its
# 120 MB of build dependencies and no install scripts; the pinned sha512 is checked before a
# file is copied into the gateway's package data (gitignored, rebuilt by `make install`).
set -euo pipefail

PACKAGE=@asyncapi/react-component@3.2.1
INTEGRITY=sha512-k5ZqJd6+oxYaQ2o6F3rGWJ1MTIjXdpsUYB3NKQbVqr4yzrN0Ovj5c7eZx8NGd3wfKPhbOrLREtYl9K2OPfnSsA==
DEST=${1:-gateway/src/apex_gateway/static/asyncapi}

command -v npm >/dev/null || { echo "error: npm (Node.js) is needed to fetch $PACKAGE" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm pack --silent --pack-destination "$work" "$PACKAGE" >/dev/null
tarball=("$work"/*.tgz)
actual=$(node -e 'const c = require("crypto"), fs = require("fs");
  process.stdout.write("sha512-" + c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "${tarball[0]}")
if [ "$actual" != "$INTEGRITY" ]; then
  echo "error: $PACKAGE is $actual, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "${tarball[0]}" -C "$work" \
  package/browser/standalone/index.js package/styles/default.min.css package/LICENSE
mkdir -p "$DEST"
cp "$work/package/browser/standalone/index.js" "$DEST/asyncapi-standalone.js"
cp "$work/package/styles/default.min.css" "$DEST/asyncapi.min.css"
cp "$work/package/LICENSE" "$DEST/LICENSE"
echo "$PACKAGE" > "$DEST/VERSION"
