#!/usr/bin/env bash
# Tests the Python binding: creates bindings-python/.venv, installs the pinned tools
# (bindings-python/requirements-dev.txt), builds the wheel with maturin and installs it, runs
# pytest on bindings-python/tests and examples/python against SQLite — and against PostgreSQL
# too when FAULTDESK_TEST_PG_URL is set (scripts/test.sh runs this under with-postgres.sh) —
# then `mypy --strict` on the examples. Needs only python3 (with venv/pip) and cargo.
# Usage: scripts/test-python.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
py=bindings-python
venv=$py/.venv

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$py/requirements-dev.txt"

echo "==> building the faultdesk wheel (maturin, dev profile)"
rm -rf "$py/target-wheels"
(cd "$py" && "$root/$venv/bin/maturin" build --locked --out target-wheels -q)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$py"/target-wheels/faultdesk-*.whl

echo "==> pytest (SQLite${FAULTDESK_TEST_PG_URL:+ + PostgreSQL})"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$py/tests" examples/python "$@"

echo "==> mypy --strict (examples, tests of the examples)"
"$venv/bin/python" -m mypy --strict --no-incremental examples/python
