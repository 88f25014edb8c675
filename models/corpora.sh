# The training data of the shipped model, as `jaga train --data` arguments; sourced by
# models/train.sh and models/evaluate.sh so both use the same list.
# Third-party corpora (not in the repository; see ../shared/data/SOURCES.md) count once per
# line; the hand-written examples in models/seed/ stand for what those corpora lack
# (Indonesian scams, abuse, ordinary fan-group chat) and count four times.
D="${JAGA_SHARED_DATA:-../shared/data}"
declare -A CORPUS=(
  [sms]="--data $D/sms_uci_train.tsv"
  [judol]="--data $D/judol_youtube.tsv"
  [tg]="--data spam:$D/tg-spam/spam-samples.txt --data ok:$D/tg-spam/ham-samples.txt"
  [seed]="$(for f in models/seed/*.tsv models/seed/*.jsonl; do echo -n "--data $f@4 "; done)"
)
NAMES="sms judol tg seed"
all() { for n in $NAMES; do echo -n "${CORPUS[$n]} "; done; }
all_but() { for n in $NAMES; do [ "$n" = "$1" ] || echo -n "${CORPUS[$n]} "; done; }
