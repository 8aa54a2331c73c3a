#!/usr/bin/env bash
# Set up voxemo, then run the linter, the README consistency check, the documentation build
# (warnings fail it), the core install on its own (scripts/check_core.sh) and the whole test
# suite with the docstrings' examples
# (integration tests on the real corpora run where they are found: RAVDESS at $VOXEMO_RAVDESS or
# ../shared, CREMA-D at $VOXEMO_CREMA_D or data/crema-d; the
# service's page is tested in Debian's chromium, installed here when missing and root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev,all,docs
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test: installing chromium for the browser tests of the service page" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
.venv/bin/ruff check src tests benchmarks examples scripts
.venv/bin/python benchmarks/render_readme.py --check
site=$(mktemp -d)
NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet --site-dir "$site"
rm -rf "$site"
bash scripts/check_core.sh
.venv/bin/python -m pytest "$@"
