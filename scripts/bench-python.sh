#!/usr/bin/env bash
# The Python binding's benchmark (benches/peers/python_bench.py) with a release wheel:
# faultdesk vs SQLAlchemy 2.0 on seed 000's flow and a de-duplicating ingest (SQLite, and
# PostgreSQL when FAULTDESK_TEST_PG_URL is set — run it under scripts/with-postgres.sh), the
# Correlator vs a pure-Python engine, and the overhead of a pure call. Not part of test.sh.
# Usage: [scripts/with-postgres.sh] scripts/bench-python.sh [python_bench.py ARGS...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
py=bindings-python
venv=$py/.venv

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$py/requirements-dev.txt"
echo "==> building the faultdesk wheel (maturin, release)"
rm -rf "$py/target-wheels-release"
(cd "$py" && "$root/$venv/bin/maturin" build --release --locked --out target-wheels-release -q)
"$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$py"/target-wheels-release/faultdesk-*.whl
echo "==> uptime: $(uptime)"
"$venv/bin/python" benches/peers/python_bench.py "$@"
echo "==> uptime: $(uptime)"
