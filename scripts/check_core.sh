#!/usr/bin/env bash
# The core install on its own: a fresh virtual environment with only `pip install .` predicts
# the example, and importing voxemo there loads none of the research libraries.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s)
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt .
echo "core: installed in $(($(date +%s) - start)) s:" \
  "$("$work/venv/bin/python" -m pip list --format=freeze --exclude pip --exclude setuptools | wc -l) packages" >&2
cd "$work"
"$work/venv/bin/voxemo" predict "$repo/examples/speech.wav"
"$work/venv/bin/voxemo" predict --timeline "$repo/examples/conversation.flac" >/dev/null
"$work/venv/bin/voxemo" models >/dev/null
"$work/venv/bin/voxemo" listen --file "$repo/examples/conversation.flac" --fast --seconds 5 >/dev/null
"$work/venv/bin/python" - "$repo/examples/speech.wav" <<'PY'
import sys

from voxemo import Recognizer

for name in ("default", "fast"):
    print(name, Recognizer(name).predict(sys.argv[1]).label)
loaded = {name.split(".")[0] for name in sys.modules}
heavy = loaded & {"sklearn", "librosa", "pandas", "matplotlib", "scipy", "torch", "opensmile"}
if heavy:
    sys.exit(f"core: importing voxemo loaded {', '.join(sorted(heavy))}")
PY
message=$("$work/venv/bin/voxemo" evaluate --corpus "folder=$work" --model logreg 2>&1 || true)
case $message in
  *"pip install 'voxemo[research]'"*) ;;
  *) echo "core: evaluate without the research extra said: $message" >&2; exit 1 ;;
esac
echo "core: predicts with $(grep -c . <<<"$(sed -n '/^dependencies = \[/,/^\]/p' "$repo/pyproject.toml" | grep '"')") direct dependencies" >&2
