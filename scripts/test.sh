#!/usr/bin/env bash
# Set up voxemo, then run the linter, the README consistency check and the whole test suite
# (integration tests on the real corpus run where $VOXEMO_RAVDESS or ../shared has it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev,train,ssl
.venv/bin/ruff check src tests benchmarks
.venv/bin/python benchmarks/render_readme.py --check
.venv/bin/python -m pytest "$@"
