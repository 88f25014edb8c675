#!/usr/bin/env bash
# Trains the shipped model, models/jaga.model, from ../shared/data (or JAGA_SHARED_DATA) and
# the hand-written examples in models/seed/. Deterministic: the same data and seed give the
# same file. The shipped model is refitted on every example after the 10% hold-out has measured
# it and fitted its temperature, and is the average of eight fits (`--refit --average 8`, README
# "The classifier"). Extra arguments go to `jaga train`, e.g. `--from-store jaga.db --out
# models/community.model` to add a review store's decided cases, or `--average 1` for one fit.
#
#   models/train.sh [JAGA TRAIN OPTIONS...]
set -euo pipefail
cd "$(dirname "$0")/.."
source models/corpora.sh
for f in "$D/sms_uci_train.tsv" "$D/judol_youtube.tsv" "$D/tg-spam/spam-samples.txt"; do
  [ -f "$f" ] || { echo "models/train.sh: $f is missing; set JAGA_SHARED_DATA to the shared data directory" >&2; exit 2; }
done
JAGA="${JAGA_BIN:-target/release/jaga}"
[ -x "$JAGA" ] || cargo build --release -q
out=(--out models/jaga.model)
refit=(--refit)
average=(--average 8)
for a in "$@"; do
  [[ $a == --out* ]] && out=()
  [[ $a == --refit ]] && refit=()
  [[ $a == --average* ]] && average=()
done
# shellcheck disable=SC2046 # the data list is meant to split into words
exec "$JAGA" train $(all) "${out[@]}" "${refit[@]}" "${average[@]}" "$@"
