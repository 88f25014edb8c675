#!/usr/bin/env python3
"""The yardstick of issue 13: scikit-learn TF-IDF (word 1-2 + char 2-5 grams) + LogisticRegression,
trained on exactly the data `jaga train` reads (same --data specs, same --label-map, same
80/20 split by hash of the text), scored harmful-vs-ok like `jaga eval`.

  baseline.py train OUT.pkl [--split train] --label-map ... --data SPEC ...
  baseline.py eval  OUT.pkl [--split test]  --label-map ... --data SPEC ...   -> JSON line
Run it with a virtual environment outside the repository (scikit-learn is not a dependency
of jaga): see README, "Figures"."""
import json, os, pickle, sys

MASK = (1 << 64) - 1

def fnv1a(b):
    h = 0xCBF29CE484222325
    for x in b:
        h = ((h ^ x) * 0x100000001B3) & MASK
    return h

def in_test_part(text, percent=20, salt=0):
    h = fnv1a(text.encode()) ^ salt
    h = ((h ^ (h >> 29)) * 0xBF58476D1CE4E5B9) & MASK
    return ((h >> 32) % 100) < percent

LABELS = {"ok", "spam", "scam", "abuse", "doxing"}

class LabelMap:
    def __init__(self):
        self.exact, self.prefixes = {}, []
    def add(self, s):
        pending = ""
        for piece in s.split(","):
            if pending or "=" not in piece:
                pending = pending + "," + piece if pending else piece
                if "=" not in piece:
                    continue
            else:
                pending = piece
            k, v = pending.rsplit("=", 1)
            pending = ""
            k, v = k.strip(), v.strip()
            v = None if v == "skip" else v
            if k.endswith("*"):
                self.prefixes.append((k[:-1], v))
                self.prefixes.sort(key=lambda p: -len(p[0]))
            else:
                self.exact[k] = v
    def resolve(self, raw):
        raw = raw.strip()
        if raw in self.exact:
            return self.exact[raw]
        for p, v in self.prefixes:
            if raw.startswith(p):
                return v
        if raw.lower() in LABELS:
            return raw.lower()
        raise SystemExit(f"unmapped label {raw!r}")

def parse_spec(s):
    weight, rest = 1.0, s
    if "@" in rest and not os.path.exists(rest):
        rest, w = rest.rsplit("@", 1)
        weight = float(w)
    label = None
    if ":" in rest and not os.path.exists(rest):
        l, p = rest.split(":", 1)
        if l and all(c.isalnum() or c == "_" for c in l):
            label, rest = l, p
    return rest, label, weight

def load(specs, lm, split):
    out = []  # (text, label, weight, source)
    for si, spec in enumerate(specs):
        path, label, weight = parse_spec(spec)
        ext = path.rsplit(".", 1)[-1]
        with open(path, "rb") as f:
            for raw in f:
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                if label is not None:
                    text, lab = line, label
                elif ext == "tsv":
                    if "\t" not in line:
                        continue
                    lab, text = line.split("\t", 1)
                    lab = lm.resolve(lab)
                    if not text.strip():
                        continue
                else:
                    try:
                        v = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if "label" not in v:
                        continue
                    lab = lm.resolve(str(v["label"]))
                    text = v.get("text", "")
                if lab is None:
                    continue
                if split == "train" and in_test_part(text):
                    continue
                if split == "test" and not in_test_part(text):
                    continue
                out.append((text, lab, weight, si))
    return out

def args(argv):
    specs, lm, split = [], LabelMap(), "all"
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--data":
            i += 1
            while i < len(argv) and not argv[i].startswith("--"):
                specs.append(argv[i]); i += 1
            continue
        if a == "--label-map":
            lm.add(argv[i + 1]); i += 2; continue
        if a == "--split":
            split = argv[i + 1]; i += 2; continue
        raise SystemExit(f"unknown argument {a}")
    return specs, lm, split

def main():
    cmd, path, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
    specs, lm, split = args(rest)
    data = load(specs, lm, split)
    if cmd == "train":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline
        data = [d for d in data if d[1] != "doxing"]
        texts = [d[0] for d in data]; y = [d[1] for d in data]; w = [d[2] for d in data]
        feats = FeatureUnion([
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2))),
            ("char", TfidfVectorizer(analyzer="char", ngram_range=(2, 5))),
        ])
        # The plain yardstick of the issue: defaults (C=1, L2, lbfgs), no class weights.
        clf = make_pipeline(feats, LogisticRegression(max_iter=1000))
        clf.fit(texts, y, logisticregression__sample_weight=w)
        with open(path, "wb") as f:
            pickle.dump(clf, f)
        print(f"trained on {len(texts)} examples", file=sys.stderr)
    else:
        with open(path, "rb") as f:
            clf = pickle.load(f)
        texts = [d[0] for d in data]; gold = [d[1] for d in data]
        pred = list(clf.predict(texts)) if texts else []
        tp = sum(1 for g, p in zip(gold, pred) if g != "ok" and p != "ok")
        fp = sum(1 for g, p in zip(gold, pred) if g == "ok" and p != "ok")
        fn = sum(1 for g, p in zip(gold, pred) if g != "ok" and p == "ok")
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        flagged = sum(1 for p in pred if p != "ok") / len(pred) if pred else 0.0
        per = {}
        for c in ["spam", "scam", "abuse", "doxing"]:
            ctp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
            cs = sum(1 for g in gold if g == c); cp = sum(1 for p in pred if p == c)
            if cs:
                cpr = ctp / cp if cp else 0.0; crc = ctp / cs
                per[c] = round(2 * cpr * crc / (cpr + crc), 3) if cpr + crc else 0.0
        print(json.dumps({"n": len(gold), "precision": round(pr, 3), "recall": round(rc, 3),
                          "f1": round(f1, 3), "flagged": round(flagged, 3), "f1_per_category": per}))

if __name__ == "__main__":
    main()
