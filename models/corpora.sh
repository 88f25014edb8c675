# The training data of the shipped model, as `jaga train --data` arguments; sourced by
# models/train.sh and models/evaluate.sh so both use the same list.
# Third-party corpora (not in the repository; see ../shared/data/SOURCES.md) count once per
# line; the hand-written examples in models/seed/ and models/handwritten/train/ stand for
# what those corpora lack (Indonesian scams, abuse, doxing and ordinary fan-group chat,
# with their legitimate look-alikes): models/seed/ counts four times, models/handwritten/train/
# eight (chosen on the in-domain split, see README "The classifier"). models/handwritten/holdout/ is
# the project's own evaluation set: never listed here, never trained on.
D="${JAGA_SHARED_DATA:-../shared/data}"
A="$D/abuse"
# How the corpora's own labels map to jaga's (read SOURCES.md before adding a corpus):
#   EDOS `sexist:<category>` (derogation, animosity, prejudiced discussion, threats) -> abuse,
#     `not_sexist` -> ok; misogyny_reddit `misogynistic:<kind>` -> abuse;
#   HateCheck `hateful:*` -> abuse, `non-hateful:*` -> ok (counter-speech, quoting, reclaimed
#     slurs, abuse of objects: the hard negatives);
#   ConvAbuse `abusive`, `abusive:sexual_harassment` -> abuse, `not_abusive` -> ok;
#   IndoNLU SmSA `positive`/`negative` reviews -> ok; `neutral` is left out (`skip`): it is
#     mostly news headlines, and the ads among them ("dijual ...", shop handles) are neither
#     clearly ok nor clearly spam;
#   STIF `informal` customer-service tweets -> ok; Blob `negative_impact` (insults, sexual
#     harassment, profanity aimed at someone) -> abuse, `normal` -> ok;
#   the hand-written sets' `doxing` examples train the model's doxing label.
LABELS="--label-map ham=ok,0=ok,1=spam,sexist:*=abuse,not_sexist=ok,misogynistic:*=abuse,not_misogynistic=ok,hateful:*=abuse,non-hateful:*=ok,abusive*=abuse,not_abusive=ok,positive=ok,negative=ok,neutral=skip,informal=ok,negative_impact=abuse,normal=ok"
# hand W FILE...: each file as `--data FILE@W`.
hand() { local w=$1; shift; for f in "$@"; do [ -f "$f" ] && echo -n "--data $f@$w "; done; }
declare -A CORPUS=(
  [sms]="--data $D/sms_uci_train.tsv"
  [judol]="--data $D/judol_youtube.tsv"
  [tg]="--data spam:$D/tg-spam/spam-samples.txt --data ok:$D/tg-spam/ham-samples.txt"
  [seed]="$(hand 4 models/seed/*.tsv models/seed/*.jsonl)"
  [hand]="$(hand 8 models/handwritten/train/*.jsonl)"
  [abuse_en]="--data $A/edos_sexism.tsv --data $A/misogyny_reddit.tsv --data $A/hatecheck.tsv --data $A/convabuse_chat.tsv"
  [id_ordinary]="--data $A/id_reviews_smsa.tsv --data $A/id_customer_tweets_stif.tsv"
  [id_toxic]="--data $A/id_toxic_chat_blob.tsv"
)
NAMES="sms judol tg seed hand abuse_en id_ordinary id_toxic"
# A name whose files are not there yet (the hand-written set before it lands) is left out.
present() { for n in $NAMES; do [ -n "${CORPUS[$n]}" ] && echo -n "$n "; done; }
NAMES="$(present)"
all() { echo -n "$LABELS "; for n in $NAMES; do echo -n "${CORPUS[$n]} "; done; }
all_but() { echo -n "$LABELS "; for n in $NAMES; do [ "$n" = "$1" ] || echo -n "${CORPUS[$n]} "; done; }
one() { echo -n "$LABELS ${CORPUS[$1]}"; }
