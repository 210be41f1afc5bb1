#!/usr/bin/env bash
# Runs every test of faultdesk: Rust (on SQLite and on an ephemeral PostgreSQL 15),
# the Python binding's tests and the Node binding's tests. Installs what it needs by itself.
# Usage: scripts/test.sh            (from anywhere)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)

section() { printf '\n==> %s\n' "$*"; }

section "cargo fmt --check"
cargo fmt --all -- --check

section "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

# One cargo test run: every storage/Desk test runs on SQLite, and on PostgreSQL because
# with-postgres.sh starts an ephemeral server and exports FAULTDESK_TEST_PG_URL.
section "Rust tests (SQLite + PostgreSQL 15)"
scripts/with-postgres.sh cargo test --workspace --locked

if [ -f bindings-python/pyproject.toml ]; then
  section "Python binding tests"
  scripts/test-python.sh
fi

if [ -f bindings-node/package.json ]; then
  section "Node binding tests"
  scripts/test-node.sh
fi

section "all tests passed"
