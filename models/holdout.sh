#!/usr/bin/env bash
# The project's own evaluation set (models/handwritten/holdout, never trained on): per
# failure-mode file, rules only / model only / combined, as a Markdown table of
# harmful-vs-ok precision / recall / F1, the F1 of the mode's own category and the share of
# legitimate look-alikes (every `ok` example there; in m0, everyday chat) flagged. Needs
# python3 for the table.
#
#   models/holdout.sh [MODEL]            # default models/jaga.model
#   models/holdout.sh --batches [MODEL]  # the combined system per blind batch, by `jaga scan`
#
# --batches: per mode, harmful F1 (flagged = any action but allow) and the look-alikes flagged
# and hidden or removed, on the whole file and on each blind batch's quarter (ids 7001-8000:
# third batch, 8001-9000: fourth, 9001-10000: fifth, 10001-11000: sixth, 11001-12000:
# seventh, 12001-13000: eighth, 13001-14000: ninth, 14001-15000: tenth,
# 15001-16000: eleventh, 16001-17000: twelfth, 17001-18000: thirteenth, 18001-19000:
# fourteenth, 19001-20000: fifteenth, 20001-21000: sixteenth, 21001-22000: seventeenth,
# 22001-23000: eighteenth, 23001-24000: nineteenth, 24001-25000: twentieth, 25001-28000:
# twenty-second, 28001-31000: twenty-third, 31001-34000: twenty-fourth, 34001-37000:
# twenty-fifth, 37001-43000: twenty-sixth, 43001 on: twenty-eighth (the twenty-first and
# twenty-seventh are m0's only, everyday chat); see
# models/handwritten/README.md). Each
# example is scanned alone (its own user and community, an hour apart), so the stateful
# stages see no flood.
set -euo pipefail
cd "$(dirname "$0")/.."
BATCHES=0
if [ "${1:-}" = "--batches" ]; then BATCHES=1; shift; fi
MODEL="${1:-models/jaga.model}"
JAGA="${JAGA_BIN:-target/release/jaga}"
[ -x "$JAGA" ] || cargo build --release -q
if [ "$BATCHES" = 1 ]; then
  exec python3 - "$JAGA" "$MODEL" <<'PY'
import json, subprocess, sys
jaga, model = sys.argv[1], sys.argv[2]
ACTED = {"hide", "remove", "mute", "ban", "reject"}
def cell(pairs):
    if not pairs:
        return ""
    tp = fp = fn = tn = acted = 0
    for e, v in pairs:
        flagged = v["action"] not in ("allow", "approve")
        if e["label"] != "ok":
            tp += flagged; fn += not flagged
        else:
            fp += flagged; tn += not flagged; acted += flagged and v["action"] in ACTED
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return "%.2f, %d (%d) of %d" % (f1, fp, acted, fp + tn)
# Each blind batch's name and first id; a batch ends where the next one starts. A new batch
# is one more line here: the header, the separator and the cells follow.
BATCHES = [("3rd", 7001), ("4th", 8001), ("5th", 9001), ("6th", 10001), ("7th", 11001),
           ("8th", 12001), ("9th", 13001), ("10th", 14001), ("11th", 15001), ("12th", 16001),
           ("13th", 17001), ("14th", 18001), ("15th", 19001), ("16th", 20001), ("17th", 21001),
           ("18th", 22001), ("19th", 23001), ("20th", 24001), ("22nd", 25001), ("23rd", 28001),
           ("24th", 31001), ("25th", 34001), ("26th", 37001), ("28th", 43001)]
RANGES = [(lo, hi) for (_, lo), (_, hi) in zip(BATCHES, BATCHES[1:] + [("", 10**9)])]
print("| mode | n | all: F1, look-alikes flagged (hidden or removed) | %s |" % " | ".join("%s batch" % n for n, _ in BATCHES))
print("|" + "---|" * (3 + len(BATCHES)))
for m in ["m1", "m2", "m3", "m4", "m5", "m6"]:
    ev = [json.loads(l) for l in open("models/handwritten/holdout/%s.jsonl" % m, encoding="utf-8") if l.strip()]
    lines = []
    for i, e in enumerate(ev):
        e = dict(e, user="u%d" % i, community="c%d" % i, ts=1700000000 + 3600 * i)
        lines.append(json.dumps(e, ensure_ascii=False))
    out = subprocess.run([jaga, "scan", "--model", model, "-"], input="\n".join(lines) + "\n",
                         capture_output=True, text=True)
    vs = [json.loads(l) for l in out.stdout.splitlines() if l.strip()]
    if len(vs) != len(ev):
        sys.exit("%s: %d verdicts for %d examples: %s" % (m, len(vs), len(ev), out.stderr[:300]))
    pairs = list(zip(ev, vs))
    num = lambda e: int(e["id"].split("-")[1])
    parts = [[x for x in pairs if lo <= num(x[0]) < hi] for lo, hi in RANGES]
    print("| %s | %d | %s | %s |" % (m, len(ev), cell(pairs), " | ".join(cell(x) for x in parts)))
PY
fi
echo "| mode | n | system | harmful P / R / F1 | category F1 | look-alikes flagged |"
echo "|---|---|---|---|---|---|"
ROW=$(cat <<'PY'
import json, os, sys
r = json.loads(os.environ["R"])
mode = sys.argv[1]
for name in ["rules", "model", "combined"]:
    m = r[name]
    h = m["harmful"]
    cm = m["confusion"]["m"]
    ok_n = sum(cm[0])
    fp = ok_n - cm[0][0]
    flagged = fp / ok_n if ok_n else 0.0
    cat = ", ".join("%s %.2f" % (o, c["f1"]) for o, c in m["per_category"] if o != "ok" and c["support"] > 0)
    # m0 (everyday chat) has no harmful example: only its share flagged means anything.
    prf = "%.2f / %.2f / **%.2f**" % (h["precision"], h["recall"], h["f1"]) if ok_n < r["examples"] else "n/a (no harmful example)"
    print("| %s | %d | %s | %s | %s | %.2f (%d/%d) |" % (
        mode, r["examples"], name, prf, cat, flagged, fp, ok_n))
PY
)
for f in models/handwritten/holdout/m*.jsonl; do
  R="$("$JAGA" eval --data "$f" --model "$MODEL" --json 2>/dev/null || true)" python3 -c "$ROW" "$(basename "$f" .jsonl)" 2>/dev/null || echo "| $(basename "$f" .jsonl) | | (eval failed) | | | |"
done
