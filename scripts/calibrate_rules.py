#!/usr/bin/env python3
"""Re-calibrate kg/ontology/lexicons/rules.json from the gold sets under tests/data/.

Usage: .venv/bin/python scripts/calibrate_rules.py [--write]
Prints, per rule, how many facts it made, how many were right and the resulting confidence.
"""
import json
import sys
from pathlib import Path

from kg.eval import load_gold
from kg.eval.calibrate import calibrate
from kg.pipeline import build_graph
from kg.util import ontology_dir

ROOT = Path(__file__).resolve().parents[1]
SETS = [(ROOT / "tests/data/seed", "social-ecommerce-digest-2025.txt"), (ROOT / "tests/data/dev-corpus", "articles.txt")]


def main(argv):
    pairs = [(build_graph([d / f]).graph, load_gold(d / "gold.json")) for d, f in SETS]
    conf, made, correct = calibrate(pairs)
    print(f"{'rule':32} {'made':>5} {'right':>5} {'conf':>5}")
    for rule, c in conf.items():
        print(f"{rule:32} {made[rule]:5} {correct[rule]:5} {c:5.2f}")
    if "--write" in argv:
        path = ontology_dir() / "lexicons" / "rules.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data = {"_doc": data["_doc"], "_default": data.get("_default", 0.6), **conf}
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
