"""Benchmark: the viewer on a synthetic 2,000-entity, 5,000-relation graph in the data model's shape.

Prints the time to write the page (view data + layout + HTML), its size, and the time to first render
in headless Chromium (navigation start to the first frame vis-network draws) with the network blocked.
The issue's bar: first render within 3 s on this machine.

    .venv/bin/python benchmarks/bench_viz.py [--nodes 2000] [--edges 5000] [--out out/bench-viz.html]
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

CLASSES = ["Company"] * 6 + ["Platform"] * 4 + ["Person"] * 4 + ["GovernmentBody", "Association", "MediaOutlet",
                                                                   "Country", "City", "Product", "Product", "Law"]
PREDICATES = ["partnerOf", "competesWith", "acquiredStakeIn", "subsidiaryOf", "worksFor", "regulates",
              "launched", "operatesIn", "issued", "appliesTo"]
MODALITIES = ["asserted"] * 17 + ["planned", "reported", "negated"]
WORDS = ("alpha beta cloud commerce data digital ecosystem global group holdings live market media mobile "
         "network online pay retail shop social tech trade video").split()


def synthetic_graph(n_nodes: int, n_edges: int, n_articles: int = 300, seed: int = 1):
    """An rdflib graph shaped like docs/data-model.md, with a heavy-tailed degree distribution."""
    from rdflib import Graph, Literal
    from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

    from kg.rdf.namespace import ENT, PKG, WD, bind_prefixes

    rnd = random.Random(seed)
    g = Graph()
    bind_prefixes(g)
    arts = []
    for a in range(n_articles):
        art = ENT[f"article/bench-{a}"]
        arts.append(art)
        g.add((art, RDF.type, PKG.Article))
        g.add((art, DCTERMS.title, Literal(f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS)} report no. {a}")))
        g.add((art, DCTERMS.date, Literal(f"20{rnd.randint(19, 25)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                                          datatype=XSD.date)))
        g.add((art, DCTERMS.publisher, Literal(rnd.choice(["Example Wire", "Daily Bench", "Tech Notes"]))))
    ents = []
    for i in range(n_nodes):
        e = ENT[f"bench/e{i}"]
        ents.append(e)
        g.add((e, RDF.type, PKG[rnd.choice(CLASSES)]))
        g.add((e, RDFS.label, Literal(f"{rnd.choice(WORDS).title()} {rnd.choice(WORDS).title()} {i}", lang="en")))
        g.add((e, SKOS.altLabel, Literal(f"实体{i}", lang="zh")))
        if i % 7 == 0:
            g.add((e, OWL.sameAs, WD[f"Q{1000 + i}"]))
        for art in rnd.sample(arts, rnd.randint(1, 3)):
            g.add((e, PKG.mentionedIn, art))
        if i % 10 == 0:
            m = ENT[f"metric/bench-{i}"]
            g.add((e, PKG.hasMetric, m))
            g.add((m, RDF.type, PKG.Metric))
            g.add((m, PKG.metricType, Literal("valuation")))
            g.add((m, PKG.value, Literal(str(rnd.randint(1, 900) * 10**8), datatype=XSD.decimal)))
            g.add((m, PKG.unit, Literal("USD")))
            g.add((m, PKG.date, Literal("2024", datatype=XSD.gYear)))
            g.add((m, PROV.wasDerivedFrom, rnd.choice(arts)))
            g.add((m, PKG.evidence, Literal(f"Entity {i} was valued at a large sum, the report said.")))
    # preferential attachment: a few hubs, many leaves (like real ecosystems)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(n_nodes)]
    seen = set()
    s_idx = 0
    while len(seen) < n_edges:
        a, b = rnd.choices(range(n_nodes), weights)[0], rnd.randrange(n_nodes)
        p = rnd.choice(PREDICATES)
        if a == b or (a, p, b) in seen or (b, p, a) in seen:
            continue
        seen.add((a, p, b))
        modality = rnd.choice(MODALITIES)
        if modality == "asserted":
            g.add((ents[a], PKG[p], ents[b]))
        for _ in range(rnd.choice([1, 1, 1, 2])):
            st = ENT[f"statement/bench-{s_idx}"]
            s_idx += 1
            g.add((st, RDF.type, RDF.Statement))
            g.add((st, RDF.subject, ents[a]))
            g.add((st, RDF.predicate, PKG[p]))
            g.add((st, RDF.object, ents[b]))
            g.add((st, PROV.wasDerivedFrom, rnd.choice(arts)))
            g.add((st, PKG.evidence, Literal(f"Entity {a} and entity {b} were linked ({p}) according to people "
                                             f"familiar with the matter, the article reported on Tuesday.")))
            g.add((st, PKG.confidence, Literal(str(rnd.choice([0.6, 0.7, 0.8, 0.9])), datatype=XSD.decimal)))
            g.add((st, PKG.extractedBy, Literal("bench")))
            g.add((st, PKG.modality, Literal(modality)))
    return g


def first_render_seconds(html: Path, chromium: str) -> dict:
    from playwright.sync_api import sync_playwright

    url = html.resolve().as_uri()
    blocked = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = b.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", lambda r: r.continue_() if r.request.url == url else (blocked.append(r.request.url), r.abort()))
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_function("window.kgReady === true", timeout=60_000)
        wall = time.perf_counter() - t0
        in_page = page.evaluate("window.kgRenderMs") / 1000
        counts = page.evaluate("kgViewer.counts()")
        b.close()
    return {"render_s": round(in_page, 2), "wall_s": round(wall, 2), "drawn": counts, "blocked_requests": len(blocked)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--edges", type=int, default=5000)
    ap.add_argument("--out", type=Path, default=None, help="keep the page here (default: a temp file)")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args(argv)

    from kg.viz import write_html

    t = time.perf_counter()
    g = synthetic_graph(args.nodes, args.edges)
    gen_s = time.perf_counter() - t
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-viz-")) / "graph.html"
    t = time.perf_counter()
    res = write_html(g, out, title=f"Benchmark: {args.nodes} entities, {args.edges} relations")
    write_s = time.perf_counter() - t
    figures = {"entities": res.nodes, "relations": res.edges, "triples": len(g), "generate_s": round(gen_s, 2),
               "write_s": round(write_s, 2), "layout": res.layout, "file_mb": round(res.bytes / 1e6, 2)}
    figures.update(first_render_seconds(out, args.chromium))
    print(json.dumps(figures, indent=2))
    verdict = "OK" if figures["render_s"] <= 3.0 else "SLOW"
    print(f"first render {figures['render_s']} s ({verdict}, bar 3 s); page {figures['file_mb']} MB at {out}")
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
