"""Benchmark: `kg viz` against pyvis's `Network.write_html`, side by side on the same synthetic graphs.

For each size (entities:relations) it prints, for both tools: the time to write the page, the peak
memory while writing (RSS above the loaded graph, measured in a child process per tool and size), the
HTML size, and in headless Chromium with every request but the page's own files aborted, the time
from navigation to the first frame drawn. For `kg viz` above 2,000 entities the first frame shows
community nodes, so it also prints the time to draw every entity ("Show every entity") after it, and
the sum ("full frame"). `kg viz` draws with vis-network up to 2,000 entities (20,000 relations) and
with sigma.js (WebGL; SwiftShader here, no GPU) above; ``--renderer`` forces one. pyvis gets
its defaults (physics with stabilisation, labels, a tooltip with label and class) except that vis-network
is inlined (``cdn_resources="in_line"``), since its default page fetches vis-network from a CDN.

    .venv/bin/python benchmarks/bench_viz.py [--sizes 2000:5000,5000:12500,20000:50000] [--no-browser]
        [--tools kg,pyvis] [--renderer auto|canvas|webgl]

The machine is shared: the load average is printed with the figures; compare ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
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


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(tool: str, n_nodes: int, n_edges: int, out: Path, renderer: str = "auto") -> dict:
    """Runs in a fresh process: build the graph, then write the page with ``tool``; time and memory."""
    g = synthetic_graph(n_nodes, n_edges)
    base = rss_mb()
    t = time.perf_counter()
    if tool == "kg":
        from kg.viz import write_html

        res = write_html(g, out, title=f"Benchmark: {n_nodes} entities, {n_edges} relations", renderer=renderer)
        extra = {"entities": res.nodes, "relations": res.edges, "clusters": res.clusters, "renderer": res.renderer}
    else:
        extra = pyvis_page(g, out)
    seconds = time.perf_counter() - t
    return {"write_s": round(seconds, 2), "peak_mb": round(max(rss_mb() - base, 0.0), 1),
            "html_mb": round(out.stat().st_size / 1e6, 2), **extra}


def pyvis_page(g, out: Path) -> dict:
    """The same entities and relations through pyvis with its defaults."""
    from pyvis.network import Network
    from rdflib.namespace import RDF, RDFS

    from kg.rdf.namespace import PKG

    PKG_NS = str(PKG._NS)
    ents = {}
    for s, t in g.subject_objects(RDF.type):
        if str(t).startswith(PKG_NS) and str(t)[len(PKG_NS):] in CLASSES and s not in ents:
            ents[s] = str(t)[len(PKG_NS):]
    # cdn_resources="in_line": the default ("local") loads vis-network from a CDN, and nothing may be
    # fetched here; in_line puts the same vis-network into the page (bootstrap's CDN link stays, aborted)
    net = Network(cdn_resources="in_line")
    for e, cls in ents.items():
        label = str(g.value(e, RDFS.label) or e)
        net.add_node(str(e), label=label, title=f"{label} ({cls})")
    n_edges = 0
    for s, p, o in g:
        if s in ents and o in ents and str(p).startswith(PKG_NS):
            net.add_edge(str(s), str(o), title=str(p)[len(PKG_NS):])
            n_edges += 1
    cwd = os.getcwd()
    os.chdir(out.parent)                       # pyvis writes lib/ next to the working directory
    try:
        net.write_html(out.name)
    finally:
        os.chdir(cwd)
    return {"entities": len(ents), "relations": n_edges}


FRAME_LIMIT_S = 120


def first_frame(html: Path, chromium: str, tool: str) -> dict:
    """Seconds from navigation to the first frame drawn (and, for kg viz with community nodes, to the
    frame with every entity). Requests outside the page's directory are aborted."""
    from playwright.sync_api import sync_playwright

    url = html.resolve().as_uri()
    folder = html.resolve().parent.as_uri()
    blocked = []

    def route(r):
        if r.request.url.startswith(folder):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    out = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = b.new_page(viewport={"width": 1400, "height": 900})
        page.route("**/*", route)
        page.goto(url, wait_until="commit", timeout=300_000)      # pyvis draws inside its load event
        if tool == "kg":
            # polled from here: wait_for_function's predicate is a string the page's CSP refuses to eval
            deadline = time.perf_counter() + 300
            while not page.evaluate("window.kgReady === true") and time.perf_counter() < deadline:
                time.sleep(0.05)
            # kgReady is set when the first frame was drawn; with WebGL and no GPU, Chromium still has
            # to read the frame back before the page is on screen, which ends the document's parsing:
            # the later of the two counts
            out["frame_s"] = round(max(page.evaluate("window.kgRenderMs"), page.evaluate(
                "performance.getEntriesByType('navigation')[0].domInteractive")) / 1000, 2)
            if page.evaluate("kgViewer.clusters()"):
                out["all_s"] = round(page.evaluate("""() => new Promise((done) => {
                    const t0 = performance.now();
                    document.getElementById('kg-all-clusters').click();
                    // drawn: two animation frames later (vis-network draws on the next one)
                    requestAnimationFrame(() => requestAnimationFrame(() => done((performance.now() - t0) / 1000)));
                })"""), 2)
                out["full_s"] = round(out["frame_s"] + out["all_s"], 2)
                out["all_drawn"] = page.evaluate("kgViewer.counts()")["nodes"]
        else:
            # pyvis creates a global `network` inside drawGraph(); with stabilisation on, vis draws the
            # first frame when it is done
            from playwright.sync_api import TimeoutError as PlaywrightTimeout

            try:
                page.wait_for_function("typeof network !== 'undefined'", timeout=FRAME_LIMIT_S * 1000, polling=20)
                frame = page.evaluate("""(limit) => new Promise((done) => {
                    network.once('afterDrawing', () => done(performance.now() / 1000));
                    setTimeout(() => done(null), limit * 1000);
                })""", FRAME_LIMIT_S)
            except PlaywrightTimeout:             # its stabilisation can hold the page's only thread
                frame = None
            out["frame_s"] = round(frame, 2) if frame is not None else f">{FRAME_LIMIT_S}"
        b.close()
    out["blocked"] = len(blocked)
    return out


def main(argv=None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000:5000,5000:12500,20000:50000")
    ap.add_argument("--tools", default="kg,pyvis")
    ap.add_argument("--renderer", default="auto", choices=["auto", "canvas", "webgl"], help="kg viz's renderer")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--child", nargs=3, metavar=("TOOL", "SIZE", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        tool, size, out = args.child
        n, m = map(int, size.split(":"))
        print(json.dumps(child(tool, n, m, Path(out), args.renderer)))
        return []
    work = Path(tempfile.mkdtemp(prefix="bench-viz-"))
    rows = []
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for size in args.sizes.split(","):
        for tool in args.tools.split(","):
            folder = work / f"{tool}-{size.replace(':', '-')}"
            folder.mkdir()
            html = folder / "graph.html"
            done = subprocess.run([sys.executable, __file__, "--child", tool, size, str(html),
                                   "--renderer", args.renderer], capture_output=True, text=True)
            if done.returncode:
                print(f"{tool} {size}: failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            row = {"tool": tool, "size": size, **json.loads(done.stdout.strip().splitlines()[-1])}
            if not args.no_browser:
                row.update(first_frame(html, args.chromium, tool))
            row["load"] = round(os.getloadavg()[0], 2)
            rows.append(row)
            print(json.dumps(row))
    print()
    print(f"{'size':>12} {'tool':>6} {'drawn by':>8} {'write s':>8} {'peak MB':>8} {'HTML MB':>8} {'1st frame s':>11} "
          f"{'+all drawn s':>12} {'full frame s':>12} {'load':>5}")
    for r in rows:
        print(f"{r['size']:>12} {r['tool']:>6} {r.get('renderer', 'vis'):>8} {r['write_s']:>8} {r['peak_mb']:>8} "
              f"{r['html_mb']:>8} {r.get('frame_s', '-'):>11} {r.get('all_s', '-'):>12} "
              f"{r.get('full_s', r.get('frame_s', '-')):>12} {r['load']:>5}")
    by = {(r["size"], r["tool"]): r for r in rows}
    for size in args.sizes.split(","):
        k, p = by.get((size, "kg")), by.get((size, "pyvis"))
        if k and p:
            print(f"{size}: write time kg/pyvis {k['write_s'] / max(p['write_s'], 1e-3):.2f}x, HTML "
                  f"{k['html_mb'] / max(p['html_mb'], 1e-3):.2f}x"
                  + (f", first frame {k['frame_s'] / max(p['frame_s'], 1e-3):.2f}x"
                     if isinstance(k.get("frame_s"), float) and isinstance(p.get("frame_s"), float) else ""))
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
