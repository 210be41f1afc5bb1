#!/usr/bin/env bash
# Tests the Node binding (npm package `faultdesk`, napi-rs): `npm ci` from the committed
# package-lock.json, `napi build --platform` (dev profile) of the addon with index.js/index.d.ts
# regenerated and checked against the committed ones, `tsc --strict` on the declarations and on
# examples/node/fibreflow, then `node --test` on bindings-node/__test__ and the FibreFlow example
# against SQLite — and PostgreSQL too when FAULTDESK_TEST_PG_URL is set (scripts/test.sh runs
# this under scripts/with-postgres.sh), the npm packaging (scripts/check-node-package.sh), and
# the live console page in real Chromium (see the end).
# Needs Node >= 20 with npm, and cargo.
#
# Usage: scripts/test-node.sh [NODE --test ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
pkg=$root/bindings-node
example=$root/examples/node/fibreflow

echo "==> npm ci (bindings-node)"
(cd "$pkg" && npm ci --no-audit --no-fund --loglevel=error)

echo "==> napi build --platform (dev profile)"
(cd "$pkg" && node_modules/.bin/napi build --platform --js index.js --dts index.d.ts)

echo "==> generated index.js / index.d.ts are the committed ones"
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  if ! git -C "$root" diff --exit-code -- bindings-node/index.js bindings-node/index.d.ts; then
    echo "bindings-node/index.js or index.d.ts changed: commit the regenerated files" >&2
    exit 1
  fi
fi

echo "==> tsc --strict (index.d.ts, examples/node/fibreflow)"
mkdir -p "$example/node_modules"
ln -sfn ../../../../bindings-node "$example/node_modules/faultdesk"
ln -sfn ../../../../bindings-node/node_modules/playwright-core "$example/node_modules/playwright-core"
"$pkg/node_modules/.bin/tsc" -p "$pkg/tsconfig.json"
"$pkg/node_modules/.bin/tsc" -p "$example/tsconfig.json"

echo "==> node --test bindings-node/__test__ (SQLite${FAULTDESK_TEST_PG_URL:+ + PostgreSQL})"
(cd "$pkg" && node --test --test-concurrency=2 "$@" __test__/)

echo "==> packaging: platform packages, napi pre-publish, install from the packed tarballs"
"$root/scripts/check-node-package.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run_example() {
  echo "==> node --test examples/node/fibreflow on $1"
  (cd "$pkg" && FIBREFLOW_DB_URL=$2 FIBREFLOW_BLOB_DIR=$tmp/blobs-$1 \
    node --import tsx --test "$example"/test/*.test.ts)
}
run_example sqlite "sqlite://$tmp/fibreflow.db"
if [ -n "${FAULTDESK_TEST_PG_URL:-}" ]; then
  db="fibreflow_example_$$"
  (cd "$pkg" && node -e '
    const pg = require("pg"); const [url, db] = process.argv.slice(1);
    const c = new pg.Client({ connectionString: url });
    c.connect().then(() => c.query(`DROP DATABASE IF EXISTS ${db}`)).then(() => c.query(`CREATE DATABASE ${db}`)).then(() => c.end())
      .catch((e) => { console.error(e); process.exit(1) })' "$FAULTDESK_TEST_PG_URL" "$db")
  pg_url=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$FAULTDESK_TEST_PG_URL" "$db")
  run_example postgres "$pg_url"
fi


# The live console in real Chromium (playwright-core + Debian's chromium): runs when chromium is
# installed; FAULTDESK_BROWSER_TESTS=1 installs it when missing (scripts/install-chromium.sh,
# needs root) and fails rather than skip; FAULTDESK_BROWSER_TESTS=0 skips.
browser=${FAULTDESK_BROWSER_TESTS:-auto}
if [ "$browser" = "1" ]; then
  "$root/scripts/install-chromium.sh"
fi
if [ "$browser" != "0" ] && [ -x /usr/bin/chromium ]; then
  echo "==> live console in Chromium (screenshot: target/fibreflow-console.png)"
  (cd "$pkg" && FIBREFLOW_DB_URL="sqlite://$tmp/console.db" FIBREFLOW_BLOB_DIR=$tmp/blobs-console \
    FIBREFLOW_SCREENSHOT=$root/target/fibreflow-console.png \
    node --import tsx --test "$example"/console-test/*.test.ts)
else
  echo "==> live console browser test skipped (no /usr/bin/chromium; FAULTDESK_BROWSER_TESTS=1 installs it)"
fi
