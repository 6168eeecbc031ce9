"""Extraction speed against the statistical model alone, side by side in one run.

Prints words/s of raw ``nlp.pipe`` of the same spaCy model over the same passages, and of
``kg.extract.pipeline.extract_articles`` (our components, the rules, coreference, candidates, the
trained classifiers, figures, both passes), alternating the two ``--rounds`` times so machine load
hits both alike; the ratio is what issue 10 asks to stay >= 0.8x.

    python benchmarks/bench_extract.py [FILES...] [--rounds 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", default=[str(p) for p in sorted((REPO / "train").glob("*/articles.txt"))])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import spacy

    from kg.extract.pipeline import extract_articles, load_pipeline, pick_model, with_final_stop
    from kg.ingest import read_inputs

    articles, _ = read_inputs(args.files)
    texts = [with_final_stop(p.text) for a in articles for p in a.passages]
    words = sum(len(t.split()) for t in texts) + sum(len(a.title.split()) for a in articles)
    raw = spacy.load(pick_model())
    ours = load_pipeline()
    list(raw.pipe(texts[:5]))
    extract_articles(ours, articles[:2])
    t_raw, t_ours = [], []
    for _ in range(args.rounds):
        t0 = time.process_time()
        list(raw.pipe(texts, batch_size=64))
        t_raw.append(time.process_time() - t0)
        t0 = time.process_time()
        extract_articles(ours, articles)
        t_ours.append(time.process_time() - t0)
    r, o = statistics.median(t_raw), statistics.median(t_ours)
    print(f"{len(articles)} articles, {words} words; load average {os.getloadavg()[0]:.1f}; CPU seconds, median of "
          f"{args.rounds} alternating rounds")
    print(f"raw nlp.pipe ({pick_model()}):  {r:7.2f} s  {words / r:8.0f} words/s")
    print(f"kg extraction:                 {o:7.2f} s  {words / o:8.0f} words/s")
    print(f"ratio (kg / raw words/s):      {r / o:7.2f}x")


if __name__ == "__main__":
    main()
