#!/usr/bin/env bash
# The whole test suite from a fresh Debian/Ubuntu machine: installs the system packages
# the integration tests need (when root or with sudo), creates .venv with the test
# extras, then runs ruff, mypy --strict and pytest (unit and integration tests).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/system-packages.sh

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff"
ruff check .
ruff format --check .
echo "== mypy --strict"
mypy
echo "== pytest"
pytest "$@"
