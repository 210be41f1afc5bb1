#!/usr/bin/env bash
# Runs every test of faultdesk: Rust (on SQLite and on an ephemeral PostgreSQL 15),
# the Python binding's tests and the Node binding's tests. Installs what it needs by itself.
# The browser tests (the live console in real Chromium) are on by default, so CI runs them:
# that installs Debian's chromium when it is missing (scripts/install-chromium.sh: root or
# sudo, about 1 to 1.5 min, then about 10 s of test). FAULTDESK_BROWSER_TESTS=0 skips them.
# Usage: scripts/test.sh            (from anywhere)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

# Everything below runs with one ephemeral PostgreSQL 15 (FAULTDESK_TEST_PG_URL): re-run this
# script under scripts/with-postgres.sh unless a server was given.
if [ -z "${FAULTDESK_TEST_PG_URL:-}" ]; then
  exec scripts/with-postgres.sh "$0" "$@"
fi

export FAULTDESK_BROWSER_TESTS=${FAULTDESK_BROWSER_TESTS:-1}

section() { printf '\n==> %s\n' "$*"; }

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# Supply chain (docs/guarantees.md, "Supply chain"): licenses, banned crates, sources. The
# advisory database cannot be downloaded here; `cargo deny check advisories` is run elsewhere.
section "cargo deny check licenses bans sources"
cargo_deny_version=0.20.2
if [ "$(cargo deny --version 2>/dev/null || true)" != "cargo-deny $cargo_deny_version" ]; then
  cargo install --locked --quiet cargo-deny --version "$cargo_deny_version"
fi
cargo deny --locked check --hide-inclusion-graph licenses bans sources

# One cargo test run: every storage/Desk test runs on SQLite and on the PostgreSQL above.
section "Rust tests (SQLite + PostgreSQL 15)"
cargo test --workspace --locked

# The per-capability examples must run, not only compile. `cargo test --workspace` above built
# them (dev profile, the workspace's feature set); this build is a no-op that names the
# binaries, which run directly (a `cargo run` of the root package alone would resolve other
# features and rebuild).
section "per-capability examples (run)"
cargo build --workspace --examples --locked
for example in create_ticket_from_alarm sla_calendar custom_workflow subscribe; do
  printf -- '--- example %s\n' "$example"
  "${CARGO_TARGET_DIR:-$root/target}/debug/examples/$example"
done

if [ -f bindings-python/pyproject.toml ]; then
  section "Python binding tests (SQLite + PostgreSQL 15)"
  scripts/test-python.sh
fi

if [ -f bindings-node/package.json ]; then
  section "Node binding tests (SQLite + PostgreSQL 15)"
  scripts/test-node.sh
fi

# The noc example's --html report opened in real Chromium (after the Node tests: it uses their
# npm packages). Runs when Debian's chromium is installed; FAULTDESK_BROWSER_TESTS=1 installs it
# first (scripts/install-chromium.sh), FAULTDESK_BROWSER_TESTS=0 skips the browser tests.
section "noc HTML report in Chromium"
scripts/test-noc-html.sh

section "all tests passed"
