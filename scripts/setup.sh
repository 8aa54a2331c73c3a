#!/usr/bin/env bash
# Set up voxemo in ./.venv: a Python 3.11+ virtual environment with the pinned dependencies
# of constraints.txt (PyTorch and transformers included, for neural models and ssl features),
# voxemo itself installed in editable mode. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "voxemo needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv >/dev/null 2>&1; then
    # Debian and Ubuntu ship the venv module in a package of its own.
    rm -rf .venv
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq python3-venv
    "$PYTHON" -m venv .venv
  fi
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,train,ssl]"
