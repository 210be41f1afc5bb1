#!/usr/bin/env bash
# Tests the Python binding: creates bindings-python/.venv, installs the pinned tools
# (bindings-python/requirements-dev.txt), builds the wheel with maturin (dev profile, in the
# workspace target/) and installs it, runs pytest on bindings-python/tests and examples/python
# against SQLite — and against PostgreSQL too when FAULTDESK_TEST_PG_URL is set
# (scripts/test.sh runs this under with-postgres.sh) — then `mypy --strict` on the package and
# the examples and `stubtest` of the native module's stubs. Needs python3 (>= 3.10, with venv)
# and cargo. The benchmark (benches/peers/python_bench.py) is not part of it.
# Usage: scripts/test-python.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
py=bindings-python
venv=$py/.venv

python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "test-python: Python >= 3.10 is required (found $(python3 --version))" >&2
  exit 1
}
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

echo "==> mypy --strict (the package, the examples) and stubtest (native module stubs)"
# From a neutral directory, so the installed package is checked, not the source tree.
(cd "$py" && "$root/$venv/bin/python" -m mypy --strict --no-incremental -p faultdesk)
"$venv/bin/python" -m mypy --strict --no-incremental examples/python benches/peers/python_bench.py
(cd "$py" && "$root/$venv/bin/python" -m mypy.stubtest faultdesk._faultdesk)
