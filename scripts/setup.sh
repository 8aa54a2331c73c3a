#!/usr/bin/env bash
# Set up voxemo in ./.venv: a Python 3.11+ virtual environment with the pinned dependencies
# of constraints.txt and voxemo itself in editable mode. Safe to run again.
#   scripts/setup.sh                 research,accurate: what predicting, evaluating and training
#                                    classic models need
#   scripts/setup.sh core            voxemo alone: predicting with the default and fast models
#   scripts/setup.sh dev,all         extras, joined with commas: accurate (openSMILE, Praat),
#                                    research (features, classic models, evaluation, reports),
#                                    train (PyTorch: networks, recording conditions), ssl (Hugging
#                                    Face encoders), live (microphone), serve (the HTTP service),
#                                    batch (Dask), all (every one of those), dev (tests, linter),
#                                    docs (the documentation site)
# scripts/test.sh installs dev,all,docs.
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
EXTRAS=${1:-research,accurate}
[ "$EXTRAS" = core ] && EXTRAS=""
for extra in ${EXTRAS//,/ }; do
  case $extra in
    accurate | research | train | ssl | live | serve | batch | all | dev | docs) ;;
    *)
      echo "usage: scripts/setup.sh [core | EXTRA,EXTRA...]  ('$extra' is not one of the" \
        "extras accurate, research, train, ssl, live, serve, batch, all, dev, docs)" >&2
      exit 2
      ;;
  esac
done
target="."
[ -n "$EXTRAS" ] && target=".[$EXTRAS]"
echo "setup: installing voxemo${EXTRAS:+ with $EXTRAS} into .venv, pinned by constraints.txt" \
  "(the first time takes minutes)" >&2
.venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$target"
echo "setup: done; run .venv/bin/voxemo --help" >&2
