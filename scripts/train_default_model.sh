#!/usr/bin/env bash
# Train the models bundled with voxemo with the recipe of benchmarks/cross_corpus.py, each
# with the scores that benchmark measured for the same recipe in its model card:
#   default  - crnn + logreg on spectral, trained on RAVDESS and CREMA-D together: fast enough
#              for real time
#   accurate - crnn + logreg on spectral+prosody+egemaps, on both corpora (Praat and openSMILE
#              make it ~10x slower; openSMILE's licence forbids commercial use)
#   fast     - the crnn alone, on both corpora: no features to compute, the quickest start
#   open     - crnn + logreg on spectral trained on CREMA-D alone (ODbL, commercial use with
#              attribution): free of RAVDESS's non-commercial clause and of openSMILE
# The networks train for 12 epochs on both corpora and 16 on CREMA-D alone; every logreg also
# trains on a copy of each file under a random recording condition (--augment). Ensemble
# probabilities are temperature-scaled on their out-of-fold predictions. Then the README's
# timeline figure is redrawn with the default model.
# Needs voxemo[train] (scripts/setup.sh train installs it), RAVDESS at ../shared/corpora/ravdess or
# $VOXEMO_RAVDESS, CREMA-D at data/crema-d or $VOXEMO_CREMA_D, and the evaluations of
# benchmarks/cross_corpus.py. About 90 minutes on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."
RAVDESS=${VOXEMO_RAVDESS:-../shared/corpora/ravdess}
CREMA=${VOXEMO_CREMA_D:-data/crema-d}
EVALS=benchmarks/results/evaluations/cross-corpus
WORK=${WORK:-runs/bundle}
VOXEMO=.venv/bin/voxemo
for needed in both-crnn both-logreg-spectral both-logreg-spectral+prosody+egemaps \
    crema-d-crnn crema-d-logreg-spectral; do
  if [ ! -f "$EVALS/$needed.json" ]; then
    echo "no $EVALS/$needed.json: run benchmarks/cross_corpus.py first" >&2
    exit 1
  fi
done
mkdir -p "$WORK"
train() {  # setup (both or crema-d), member name, then the corpus arguments
  local setup=$1 member=$2
  shift 2
  case $member in
    crnn)
      local epochs=12
      [ "$setup" = crema-d ] && epochs=16
      $VOXEMO train "$@" --model crnn --epochs "$epochs" --scores "$EVALS/$setup-crnn.json" \
        --checkpoints "$WORK/checkpoints/$setup" --out "$WORK/$setup-crnn" --force
      ;;
    *)
      $VOXEMO train "$@" --features "$member" --model logreg --augment \
        --scores "$EVALS/$setup-logreg-$member.json" --out "$WORK/$setup-logreg-$member" --force
      ;;
  esac
}
BOTH=(--corpus "ravdess=$RAVDESS" --corpus "crema-d=$CREMA")
train both crnn "${BOTH[@]}"
train both spectral "${BOTH[@]}"
train both spectral+prosody+egemaps "${BOTH[@]}"
train crema-d crnn --corpus "crema-d=$CREMA"
train crema-d spectral --corpus "crema-d=$CREMA"
# Built outside the package and copied in at the end, so that every model card records the
# commit it was made from (not that commit "dirty" with the models written so far).
bundle() {  # name, setup, feature-vector member
  local out=$WORK/pretrained/$1
  $VOXEMO ensemble "$EVALS/$2-crnn.json" "$EVALS/$2-logreg-$3.json" --json "$WORK/$1-evaluation.json"
  rm -rf "$out"
  $VOXEMO ensemble "$WORK/$2-crnn" "$WORK/$2-logreg-$3" --scores "$WORK/$1-evaluation.json" \
    --calibrate --out "$out"
}
bundle default both spectral
bundle accurate both spectral+prosody+egemaps
bundle open crema-d spectral
rm -rf "$WORK/pretrained/fast"
cp -r "$WORK/both-crnn" "$WORK/pretrained/fast"
for name in default accurate fast open; do
  rm -rf "src/voxemo/pretrained/$name"
  cp -r "$WORK/pretrained/$name" "src/voxemo/pretrained/$name"
done
# A member that is also bundled on its own (the crnn of default and accurate is fast) is
# stored once: the ensembles refer to it as bundled:NAME.
.venv/bin/python -c 'from pathlib import Path
from voxemo.models.ensemble import share_bundled_members
root = Path("src/voxemo/pretrained")
for name in ("default", "accurate", "open"):
    print(name, "shares", share_bundled_members(root / name, root) or "nothing")'
$VOXEMO predict --timeline examples/conversation.flac --plot docs/timeline.png
