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
for f in models/handwritten/holdout/m*.jsonl; do
  "$JAGA" eval --data "$f" --model "$MODEL" --json 2>/dev/null | python3 -c '
import json, sys
r = json.load(sys.stdin)
mode = sys.argv[1]
order = ["ok", "spam", "scam", "doxing", "abuse"]
for name in ["rules", "model", "combined"]:
    m = r[name]
    h = m["harmful"]
    cm = m["confusion"]["m"]
    ok_n = sum(cm[0])
    flagged = (ok_n - cm[0][0]) / ok_n if ok_n else 0.0
    cats = [(o, c) for o, c in m["per_category"] if o != "ok" and c["support"] > 0]
    cat = ", ".join(f"{o} {c[\"f1\"]:.2f}" for o, c in cats)
    print(f"| {mode} | {r[\"examples\"]} | {name} | {h[\"precision\"]:.2f} / {h[\"recall\"]:.2f} / **{h[\"f1\"]:.2f}** | {cat} | {flagged:.2f} ({ok_n - cm[0][0]}/{ok_n}) |")
' "$(basename "$f" .jsonl)"
done
