"""`kg validate` speed: the fast engine vs pySHACL, side by side in one run, on a corpus-scale graph.

    python benchmarks/bench_validate.py                      # generate + build the news corpus (minutes)
    python benchmarks/bench_validate.py --graph out/graph.ttl   # use a graph built before

The graph is the build of ``benchmarks/make_news.py`` (600 invented-name articles, seed 15; about
95k triples, the size issue 15 measured pySHACL on). It first reports the build's own violation
count (0 is the target), then seeds violations deterministically (wrong classes on relation
arguments, out-of-range confidences, unknown modalities, missing provenance, untyped mentioned
nodes) and validates that graph with both engines: the two finding sets must be equal, and the
ratio of the times is the figure of merit (>= 10x). The machine is shared: read the ratio, and the
load average printed with it.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def seed_violations(graph, n: int, seed: int = 15) -> int:
    """Break ``n`` things in ``graph`` (in place), drawn with a fixed seed; returns how many were applied."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF, XSD

    from kg.rdf.namespace import ENT, PKG

    rng = random.Random(seed)
    statements = sorted(graph.subjects(RDF.type, RDF.Statement))
    entities = sorted(s for s, _ in graph.subject_objects(PKG.mentionedIn))
    wrong = [PKG.Product, PKG.Law, PKG.Person, PKG.City]
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    kinds = ["retype", "confidence", "modality", "provenance", "untyped"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        if kind == "retype":
            node = graph.value(rng.choice(statements), RDF.object)
            graph.remove((node, RDF.type, None))
            graph.add((node, RDF.type, rng.choice(wrong)))
        elif kind == "confidence":
            graph.set((rng.choice(statements), PKG.confidence, Literal("1.7", datatype=XSD.decimal)))
        elif kind == "modality":
            graph.set((rng.choice(statements), PKG.modality, Literal("rumoured")))
        elif kind == "provenance":
            graph.remove((rng.choice(statements), derived, None))
        else:
            graph.add((ENT[f"x/untyped-{i}"], PKG.mentionedIn, graph.value(rng.choice(entities), PKG.mentionedIn)))
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--graph", help="a built graph (Turtle); default: generate and build the news corpus")
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--seeded", type=int, default=200, help="violations to seed")
    args = ap.parse_args()

    from rdflib import Graph

    from kg.validate import validate_graph

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (2-core machine shared with others)")
    if args.graph:
        graph = Graph().parse(args.graph)
        build_s = None
    else:
        from make_news import generate

        from kg.pipeline import build_graph

        text, names = generate(args.articles)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "news.txt"
            path.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            graph = build_graph([path]).graph
            build_s = time.perf_counter() - t0
        print(f"corpus: {args.articles} articles, {len(text.split())} words, {names} distinct invented names; "
              f"built in {build_s:.0f} s")
    t0 = time.perf_counter()
    clean = validate_graph(graph)
    clean_s = time.perf_counter() - t0
    print(f"graph: {len(graph)} triples, {clean.violation_count} violation(s) as built; fast validation {clean_s:.1f} s"
          + (f" ({100 * clean_s / (build_s + clean_s):.1f} % of build + validation)" if build_s else ""))

    seed_violations(graph, args.seeded)
    t0 = time.perf_counter()
    fast = validate_graph(graph, engine="fast")
    fast_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    reference = validate_graph(graph, engine="pyshacl")
    ref_s = time.perf_counter() - t0
    same = set(fast.violations) == set(reference.violations)
    print(f"seeded graph: {len(graph)} triples, {args.seeded} seeded faults")
    print(f"  {'engine':<10} {'time (s)':>9} {'violations':>11}")
    print(f"  {'pyshacl':<10} {ref_s:>9.1f} {reference.violation_count:>11}")
    print(f"  {'fast':<10} {fast_s:>9.1f} {fast.violation_count:>11}")
    print(f"  speed-up: {ref_s / fast_s:.1f}x; same findings: {same}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not same:
        for v in sorted(set(fast.violations) ^ set(reference.violations), key=str)[:20]:
            print("  differs:", v)
        sys.exit(1)


if __name__ == "__main__":
    main()
