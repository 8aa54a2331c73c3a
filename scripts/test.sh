#!/usr/bin/env bash
# Set up voxemo, then run the linter, the README consistency check, the core install on its
# own (scripts/check_core.sh) and the whole test suite
# (integration tests on the real corpus run where $VOXEMO_RAVDESS or ../shared has it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev,all
.venv/bin/ruff check src tests benchmarks
.venv/bin/python benchmarks/render_readme.py --check
bash scripts/check_core.sh
.venv/bin/python -m pytest "$@"
