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
# The networks train for the epochs of cross_corpus.py's recipe (EPOCHS); every logreg also
# trains on a copy of each file under a random recording condition (--augment), and has a
# voice model (--voice) that --adapt judges a recording's windows with. Ensemble
# probabilities are temperature-scaled on their out-of-fold predictions. Each card carries the
# recording-conditions table of benchmarks/robustness.py for its recipe where that has been
# run. Then the README's timeline figure is redrawn with the default model.
# Bundles are named on the command line (all four without one): the trainings and evaluations
# each needs are only those of the bundles named. With --cards first, nothing is trained: the
# bundled models named only get their cards' measured sections again from the results files
# (after robustness.py or cross_corpus.py has measured their recipe since they were built),
# and every card page of theirs is written again from its card.json.
# Needs voxemo[train] (scripts/setup.sh train installs it), RAVDESS at ../shared/corpora/ravdess or
# $VOXEMO_RAVDESS, CREMA-D at data/crema-d or $VOXEMO_CREMA_D, and the evaluations of
# benchmarks/cross_corpus.py. About 90 minutes on two cores for all four.
set -euo pipefail
cd "$(dirname "$0")/.."
# The networks train in the benchmark's precision (benchmarks/common.py: train_in_float32).
export VOXEMO_PRECISION=${VOXEMO_PRECISION:-float32}
RAVDESS=${VOXEMO_RAVDESS:-../shared/corpora/ravdess}
CREMA=${VOXEMO_CREMA_D:-data/crema-d}
EVALS=benchmarks/results/evaluations/cross-corpus
WORK=${WORK:-runs/bundle}
VOXEMO=.venv/bin/voxemo
CARDS_ONLY=false
if [ "${1:-}" = --cards ]; then
  CARDS_ONLY=true
  shift
fi
BUNDLES=("$@")
[ ${#BUNDLES[@]} -gt 0 ] || BUNDLES=(default accurate fast open)
members() {  # the trainings a bundle is made of, as SETUP-MEMBER (a member is crnn or features)
  case $1 in
    default) echo both-crnn both-spectral ;;
    accurate) echo both-crnn both-spectral+prosody+egemaps ;;
    fast) echo both-crnn ;;
    open) echo crema-d-crnn crema-d-spectral ;;
    *) echo "unknown bundle $1 (default, accurate, fast or open)" >&2; exit 2 ;;
  esac
}
# Each card gets its recipe's table from benchmarks/robustness.py, where that has measured it
# (default, accurate and fast: the setup trained on both corpora; open: CREMA-D alone), and a
# recipe trained on one corpus its scores on the other from benchmarks/cross_corpus.py.
recipes=()
for name in "${BUNDLES[@]}"; do
  recipes+=("$name=$(members "$name")")
done
sections() {  # FOLDER: write the measured sections into the cards of the bundles in FOLDER
  .venv/bin/python - "$1" "${recipes[@]}" <<'EOF'
import json
import sys
from pathlib import Path

sys.path.insert(0, "benchmarks")
from cross_corpus import ENSEMBLES, SETUPS, choices
from voxemo.errors import ModelError
from voxemo.models.card_sections import add_sections, cross_corpus_section, robustness_section
from voxemo.models.card_text import card_markdown

sections = {"robustness": robustness_section, "cross_corpus": cross_corpus_section}


def recipe(parts):
    """The setup and the benchmark's name of a bundle made of SETUP-MEMBER trainings."""
    (setup,) = {s for s in SETUPS for p in parts if p.startswith(f"{s}-")}
    members = {p.removeprefix(f"{setup}-") for p in parts}
    members = {m if m == "crnn" else f"logreg[{m}]" for m in members}
    names = [name for name, kept in ENSEMBLES.items() if set(kept) == members]
    if len(members) > 1 and not names:
        sys.exit(f"{' + '.join(sorted(members))}: not an ensemble of benchmarks/cross_corpus.py")
    return setup, names[0] if names else members.pop()


def results(name):
    path = Path(f"benchmarks/results/{name}.json")
    return json.loads(path.read_text()) if path.exists() else {"rows": []}


records = {"robustness": results("robustness"), "cross_corpus": results("cross_corpus")}
for argument in sys.argv[2:]:
    name, parts = argument.split("=")
    setup, model = recipe(parts.split())
    lines = choices(setup, set(ENSEMBLES.get(model, (model,))))
    source = {"source": "benchmarks/cross_corpus.py", "recipe": model, "setup": setup}
    found = {"choices": source | {"lines": lines}}
    for key, section in sections.items():
        if key == "cross_corpus" and setup == "both":
            continue  # trained on every corpus: no other corpus to test on
        try:
            found[key] = section(records[key], setup, model)
        except ModelError as error:
            print(f"{name}: {error}: its card has no {key.replace('_', '-')} section")
    add_sections(Path(sys.argv[1]) / name, found)
    for card in (Path(sys.argv[1]) / name).glob("*/**/card.json"):  # members, voice models
        card.with_name("MODEL_CARD.md").write_text(card_markdown(json.loads(card.read_text())))
EOF
}
if $CARDS_ONLY; then
  for name in "${BUNDLES[@]}"; do
    [ -d "src/voxemo/pretrained/$name" ] || { echo "no bundled model $name to update" >&2; exit 1; }
  done
  sections src/voxemo/pretrained
  exit 0
fi
NEEDED=()
for name in "${BUNDLES[@]}"; do
  members "$name" > /dev/null
  read -ra parts <<< "$(members "$name")"
  for part in "${parts[@]}"; do
    [[ " ${NEEDED[*]} " == *" $part "* ]] || NEEDED+=("$part")
  done
done
evaluation() {  # the cross_corpus.py evaluation of SETUP-MEMBER
  case $1 in
    *-crnn) echo "$EVALS/$1.json" ;;
    both-*) echo "$EVALS/both-logreg-${1#both-}.json" ;;
    crema-d-*) echo "$EVALS/crema-d-logreg-${1#crema-d-}.json" ;;
  esac
}
for part in "${NEEDED[@]}"; do
  if [ ! -f "$(evaluation "$part")" ]; then
    echo "no $(evaluation "$part"): run benchmarks/cross_corpus.py first" >&2
    exit 1
  fi
done
mkdir -p "$WORK/pretrained"
train() {  # SETUP-MEMBER: trained into $WORK/SETUP-crnn or $WORK/SETUP-logreg-FEATURES
  local part=$1 setup member corpora
  case $part in
    both-*) setup=both member=${part#both-} corpora=(--corpus "ravdess=$RAVDESS" --corpus "crema-d=$CREMA") ;;
    crema-d-*) setup=crema-d member=${part#crema-d-} corpora=(--corpus "crema-d=$CREMA") ;;
  esac
  if [ "$member" = crnn ]; then
    local epochs
    epochs=$(cd benchmarks && ../.venv/bin/python -c "from cross_corpus import EPOCHS; print(EPOCHS['$setup'])")
    $VOXEMO train "${corpora[@]}" --model crnn --epochs "$epochs" --scores "$(evaluation "$part")" \
      --checkpoints "$WORK/checkpoints/$setup" --out "$WORK/$setup-crnn" --force
  else
    $VOXEMO train "${corpora[@]}" --features "$member" --model logreg --augment --voice \
      --scores "$(evaluation "$part")" --out "$WORK/$setup-logreg-$member" --force
  fi
}
for part in "${NEEDED[@]}"; do
  train "$part"
done
# Built outside the package and copied in at the end, so that every model card records the
# commit it was made from (not that commit "dirty" with the models written so far).
for name in "${BUNDLES[@]}"; do
  read -ra parts <<< "$(members "$name")"
  out=$WORK/pretrained/$name
  rm -rf "$out"
  if [ ${#parts[@]} -eq 1 ]; then
    cp -r "$WORK/${parts[0]}" "$out"
  else
    setup=${parts[0]%-crnn}
    features=${parts[1]#"$setup"-}
    $VOXEMO ensemble "$(evaluation "${parts[0]}")" "$(evaluation "${parts[1]}")" \
      --json "$WORK/$name-evaluation.json"
    $VOXEMO ensemble "$WORK/$setup-crnn" "$WORK/$setup-logreg-$features" \
      --scores "$WORK/$name-evaluation.json" --calibrate --out "$out"
  fi
done
sections "$WORK/pretrained"
for name in "${BUNDLES[@]}"; do
  rm -rf "src/voxemo/pretrained/$name"
  cp -r "$WORK/pretrained/$name" "src/voxemo/pretrained/$name"
done
# A member that is also bundled on its own (the crnn of default and accurate is fast) is
# stored once: the ensembles refer to it as bundled:NAME.
.venv/bin/python -c 'from pathlib import Path
from voxemo.models.ensemble import share_bundled_members
root = Path("src/voxemo/pretrained")
for name in ("default", "accurate", "open"):
    if (root / name).is_dir():
        print(name, "shares", share_bundled_members(root / name, root) or "nothing")'
if [[ " ${BUNDLES[*]} " == *" default "* ]]; then
  $VOXEMO predict --timeline examples/conversation.flac --plot docs/timeline.png
fi
