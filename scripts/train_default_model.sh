#!/usr/bin/env bash
# Train the model bundled with voxemo (src/voxemo/pretrained/default) on all 24 RAVDESS
# actors, with the EmoBox scores that benchmarks/neural.py measured for the same
# configuration in its model card, then redraw the README's timeline figure with it.
# Needs voxemo[train] (scripts/setup.sh installs it) and the corpus at
# ../shared/corpora/ravdess or $VOXEMO_RAVDESS. About 10 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RAVDESS=${VOXEMO_RAVDESS:-../shared/corpora/ravdess}
KIND=${KIND:-cnn}
SCORES=benchmarks/results/evaluations/$KIND.json
if [ ! -f "$SCORES" ]; then
  echo "no $SCORES: run benchmarks/neural.py first (it evaluates $KIND on the EmoBox folds)" >&2
  exit 1
fi
OUT=src/voxemo/pretrained/default
rm -rf "$OUT.new"
.venv/bin/voxemo train --corpus "ravdess=$RAVDESS" --model "$KIND" --scores "$SCORES" \
  --checkpoints "${CHECKPOINTS:-runs/default-model}" --out "$OUT.new"
rm -rf "$OUT" && mv "$OUT.new" "$OUT"
.venv/bin/voxemo predict --timeline examples/conversation.flac --plot docs/timeline.png
