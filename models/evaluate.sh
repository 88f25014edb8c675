#!/usr/bin/env bash
# Reproduces the classifier figures in the README: an in-domain 80/20 split of every corpus
# and cross-source runs (train without corpus X, test on X), each scored rules only, model
# only and combined. Needs ../shared/data (or JAGA_SHARED_DATA). Writes text and JSON reports
# to the directory given (default: target/model-eval). Takes a few minutes on 2 cores.
#
#   models/evaluate.sh [OUT_DIR] [ALGORITHM]      # ALGORITHM: logistic (default) | naive-bayes
#   JAGA_TRAIN_ARGS="--alpha 5" models/evaluate.sh ...   # extra `jaga train` options
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-target/model-eval}"
ALG="${2:-logistic}"
EXTRA="${JAGA_TRAIN_ARGS:-}"
mkdir -p "$OUT"
JAGA="${JAGA_BIN:-target/release/jaga}"
[ -x "$JAGA" ] || cargo build --release -q

source models/corpora.sh

# In-domain: train on the 80% part of every corpus, test on the 20% part of each.
$JAGA train $(all) --split train --algorithm "$ALG" $EXTRA --out "$OUT/in-domain.model" 2> "$OUT/in-domain.train.log"
for n in $NAMES; do
  $JAGA eval $(one "$n") --split test --model "$OUT/in-domain.model" > "$OUT/in-domain.$n.txt"
  $JAGA eval $(one "$n") --split test --model "$OUT/in-domain.model" --json > "$OUT/in-domain.$n.json"
done

# Cross-source: train on every corpus but X, test on all of X.
for n in $NAMES; do
  $JAGA train $(all_but "$n") --algorithm "$ALG" $EXTRA --out "$OUT/without-$n.model" 2> "$OUT/without-$n.train.log"
  $JAGA eval $(one "$n") --model "$OUT/without-$n.model" > "$OUT/cross.$n.txt"
  $JAGA eval $(one "$n") --model "$OUT/without-$n.model" --json > "$OUT/cross.$n.json"
done
echo "reports in $OUT"
