#!/usr/bin/env bash
# Set up voxemo, then run the linter, the README consistency check, the documentation build
# (warnings fail it), the core install on its own (scripts/check_core.sh) and the whole test
# suite with the docstrings' examples
# (integration tests on the real corpus run where $VOXEMO_RAVDESS or ../shared has it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev,all,docs
.venv/bin/ruff check src tests benchmarks
.venv/bin/python benchmarks/render_readme.py --check
site=$(mktemp -d)
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$site"
rm -rf "$site"
bash scripts/check_core.sh
.venv/bin/python -m pytest "$@"
