#!/usr/bin/env python3
"""Re-calibrate kg/ontology/lexicons/rules.json from the training corpus under train/ (never from the
test sets under tests/data/, which must stay unseen).

Usage: .venv/bin/python scripts/calibrate_rules.py [--write]
Prints, per rule, how many facts it made, how many were right and the resulting confidence. The
relation rules are measured alone (the trained classifier switched off), as they run when no model
is shipped; their firings with a model are features the classifier weighs instead.
"""
import json
import sys
from pathlib import Path

from kg.eval import load_gold
from kg.eval.calibrate import calibrate
from kg.pipeline import build_graph
from kg.util import ontology_dir

ROOT = Path(__file__).resolve().parents[1]
SETS = [(ROOT / "train" / part, "articles.txt") for part in ("china", "seasia", "west", "world")]


def main(argv):
    from kg.extract.pipeline import load_pipeline

    load_pipeline(None, None).get_pipe("kg_relations").model = None  # the pipeline build_graph uses: rules alone
    pairs = [(build_graph([d / f]).graph, load_gold(d / "gold.json")) for d, f in SETS]
    conf, made, correct = calibrate(pairs)
    print(f"{'rule':32} {'made':>5} {'right':>5} {'conf':>5}")
    for rule, c in conf.items():
        print(f"{rule:32} {made[rule]:5} {correct[rule]:5} {c:5.2f}")
    if "--write" in argv:
        path = ontology_dir() / "lexicons" / "rules.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data = {"_doc": data["_doc"], "_default": data.get("_default", 0.6), **conf}  # rules that never fired: the default
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
