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
# twenty-fifth, 37001 on: twenty-sixth (the twenty-first and twenty-seventh are m0's only,
# everyday chat); see
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
print("| mode | n | all: F1, look-alikes flagged (hidden or removed) | 3rd batch | 4th batch | 5th batch | 6th batch | 7th batch | 8th batch | 9th batch | 10th batch | 11th batch | 12th batch | 13th batch | 14th batch | 15th batch | 16th batch | 17th batch | 18th batch | 19th batch | 20th batch | 22nd batch | 23rd batch | 24th batch | 25th batch | 26th batch |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
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
    parts = [[x for x in pairs if lo <= num(x[0]) < hi] for lo, hi in [(7001, 8001), (8001, 9001), (9001, 10001), (10001, 11001), (11001, 12001), (12001, 13001), (13001, 14001), (14001, 15001), (15001, 16001), (16001, 17001), (17001, 18001), (18001, 19001), (19001, 20001), (20001, 21001), (21001, 22001), (22001, 23001), (23001, 24001), (24001, 25001), (25001, 28001), (28001, 31001), (31001, 34001), (34001, 37001), (37001, 10**9)]]
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
