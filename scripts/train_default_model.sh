#!/usr/bin/env bash
# Train the models bundled with voxemo on all 24 RAVDESS actors, each with the EmoBox scores
# that benchmarks/neural.py measured for the same configuration in its model card:
#   default  - the best configuration fast enough for real time: network + logreg on spectral
#   accurate - the best configuration of the leaderboard: network + logreg on
#              spectral+prosody+egemaps (Praat and openSMILE make it ~10x slower)
#   fast     - the network alone: no librosa, Praat or openSMILE to load, the quickest start
# The network: NET=crnn (default, what is bundled now) or NET=cnn.
# Ensemble probabilities are temperature-scaled on their out-of-fold predictions. Then the
# README's timeline figure is redrawn with the default model.
# Needs voxemo[train] (scripts/setup.sh installs it) and the corpus at
# ../shared/corpora/ravdess or $VOXEMO_RAVDESS. About 15 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RAVDESS=${VOXEMO_RAVDESS:-../shared/corpora/ravdess}
EVALS=benchmarks/results/evaluations
WORK=${WORK:-runs/bundle}
NET=${NET:-crnn}
VOXEMO=.venv/bin/voxemo
for needed in "$NET" logreg-spectral logreg-spectral+prosody+egemaps; do
  if [ ! -f "$EVALS/$needed.json" ]; then
    echo "no $EVALS/$needed.json: run benchmarks/neural.py first" >&2
    exit 1
  fi
done
mkdir -p "$WORK"
$VOXEMO train --corpus "ravdess=$RAVDESS" --model "$NET" --scores "$EVALS/$NET.json" \
  --checkpoints "$WORK/checkpoints" --out "$WORK/$NET"
for features in spectral spectral+prosody+egemaps; do
  $VOXEMO train --corpus "ravdess=$RAVDESS" --features "$features" --model logreg \
    --scores "$EVALS/logreg-$features.json" --out "$WORK/logreg-$features"
done
# Built outside the package and copied in at the end, so that every model card records the
# commit it was made from (not that commit "dirty" with the models written so far).
bundle() {  # name, feature-vector member
  local out=$WORK/pretrained/$1
  $VOXEMO ensemble "$EVALS/$NET.json" "$EVALS/logreg-$2.json" --json "$WORK/$1-evaluation.json"
  rm -rf "$out"
  $VOXEMO ensemble "$WORK/$NET" "$WORK/logreg-$2" --scores "$WORK/$1-evaluation.json" --calibrate \
    --out "$out"
}
bundle default spectral
bundle accurate spectral+prosody+egemaps
rm -rf "$WORK/pretrained/fast"
cp -r "$WORK/$NET" "$WORK/pretrained/fast"
for name in default accurate fast; do
  rm -rf "src/voxemo/pretrained/$name"
  cp -r "$WORK/pretrained/$name" "src/voxemo/pretrained/$name"
done
$VOXEMO predict --timeline examples/conversation.flac --plot docs/timeline.png
