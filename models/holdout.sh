#!/usr/bin/env bash
# The project's own evaluation set (models/handwritten/holdout, never trained on): per
# failure-mode file, rules only / model only / combined, as a Markdown table of
# harmful-vs-ok precision / recall / F1, the F1 of the mode's own category and the share of
# legitimate look-alikes (every `ok` example there) flagged. Needs python3 for the table.
#
#   models/holdout.sh [MODEL]        # default models/jaga.model
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-models/jaga.model}"
JAGA="${JAGA_BIN:-target/release/jaga}"
[ -x "$JAGA" ] || cargo build --release -q
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
    print("| %s | %d | %s | %.2f / %.2f / **%.2f** | %s | %.2f (%d/%d) |" % (
        mode, r["examples"], name, h["precision"], h["recall"], h["f1"], cat, flagged, fp, ok_n))
PY
)
for f in models/handwritten/holdout/m*.jsonl; do
  R="$("$JAGA" eval --data "$f" --model "$MODEL" --json 2>/dev/null || true)" python3 -c "$ROW" "$(basename "$f" .jsonl)" 2>/dev/null || echo "| $(basename "$f" .jsonl) | | (eval failed) | | | |"
done
