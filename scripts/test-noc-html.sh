#!/usr/bin/env bash
# The noc example's HTML report in real Chromium: runs a small noc simulation with
# `--html target/noc-html/report.html`, then examples/noc/html-check.ts (node --test,
# playwright-core driving Debian's chromium, as the FibreFlow console test does) opens it and
# checks that it loads with no console error and no request outside the file, and that every
# chart rendered. Saves target/noc-html/report.png (full page) as a test artifact.
#
# Usage: scripts/test-noc-html.sh
#   FAULTDESK_BROWSER_TESTS=1     install Debian's chromium when missing (needs root); 0 skips;
#                                 unset: runs only when /usr/bin/chromium exists
#   NOC_HTML_PROFILE=release      build the example with --release (default: the dev profile
#                                 `cargo test` already built)
#   NOC_HTML_ARGS="..."           the noc options (default: a small two-day run)
# Needs cargo, and Node >= 20 with npm (bindings-node's locked devDependencies are installed
# with `npm ci` when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

browser=${FAULTDESK_BROWSER_TESTS:-auto}
if [ "$browser" = "1" ]; then
  scripts/install-chromium.sh
fi
if [ "$browser" = "0" ] || [ ! -x /usr/bin/chromium ]; then
  echo "test-noc-html: skipped (no /usr/bin/chromium; FAULTDESK_BROWSER_TESTS=1 installs it)"
  exit 0
fi

pkg=$root/bindings-node
if [ ! -d "$pkg/node_modules/playwright-core" ] || [ ! -x "$pkg/node_modules/.bin/tsx" ]; then
  echo "==> npm ci (bindings-node: playwright-core, tsx)"
  (cd "$pkg" && npm ci --no-audit --no-fund --loglevel=error)
fi
mkdir -p examples/node/fibreflow/node_modules
ln -sfn ../../../../bindings-node/node_modules/playwright-core examples/node/fibreflow/node_modules/playwright-core

out=$root/target/noc-html
mkdir -p "$out"
rm -f "$out"/report.html "$out"/report.png "$out"/noc.db "$out"/noc.db-*
profile=()
if [ "${NOC_HTML_PROFILE:-dev}" = "release" ]; then
  profile=(--release)
fi
read -r -a args <<<"${NOC_HTML_ARGS:---events 20000 --olts 4 --days 2}"
echo "==> noc ${args[*]} --html target/noc-html/report.html"
cargo run --locked "${profile[@]}" --example noc -- "${args[@]}" --quiet \
  --db "sqlite://target/noc-html/noc.db" --html target/noc-html/report.html >"$out/noc.txt"

echo "==> the report in Chromium (screenshot: target/noc-html/report.png)"
(cd "$pkg" && NOC_HTML="$out/report.html" NOC_HTML_SCREENSHOT="$out/report.png" \
  node --import tsx --test "$root/examples/noc/html-check.ts")
rm -f "$out"/noc.db "$out"/noc.db-*
