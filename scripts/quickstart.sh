#!/usr/bin/env bash
# Set up voxemo, predict the example recording with the bundled model, then reproduce the
# original RAVDESS study twice: under its own leaky random split, and speaker-independently
# (EmoBox actor folds). The gap is the point.
# The corpus is read from $VOXEMO_RAVDESS, by default ../shared/corpora/ravdess.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/voxemo predict examples/speech.wav
corpus=${VOXEMO_RAVDESS:-../shared/corpora/ravdess}
mkdir -p out
for protocol in seed emobox; do
  .venv/bin/voxemo evaluate --corpus "ravdess=$corpus" --features seed --model seed-mlp \
    --protocol "$protocol" --json "out/study-$protocol.json"
done
