"""Screenshots of the viewer for docs/viewer.md, taken with the test suite's headless Chromium.

Re-runnable: the pictures follow whatever the extraction gives today.

    .venv/bin/python tests/viz/make_screenshots.py [--out docs/img] [--synthetic-triples 900000]

1. ``seed.png``: the seed corpus (``kg build tests/data/seed``);
2. ``gold.png``: the three gold corpora built together (about 150 entities);
3. ``gold-focus.png``: the same after clicking its biggest hub (neighbourhood, others faded);
4. ``real.png``: the gold corpora and ``train/`` built together (about 1,200 entities today);
5. ``synthetic-5k.png``: a graph from ``benchmarks/make_synthetic.py`` (about 5,000 entities), first
   view (communities grouped).

Each page is opened offline (every request but the page is aborted) at 1400 x 900.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def kg_build(inputs: list[str], out: Path) -> Path:
    """``kg build`` into ``out``; returns the graph file. A failed build stops the script. A graph
    already there (``--work`` of an earlier run) is reused: rebuilding train/ takes minutes."""
    if (out / "graph.ttl").is_file():
        return out / "graph.ttl"
    cmd = [sys.executable, "-c", "from kg.cli import cli; cli()", "build", *inputs, "-o", str(out), "--no-validate", "--no-html", "-q"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    graph = out / "graph.ttl"
    if not graph.is_file():
        sys.exit(f"kg build {' '.join(inputs)} wrote no graph (exit {done.returncode}): "
                 f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}")
    return graph


def write_page(graph_file: Path, html: Path, title: str) -> dict:
    from kg.store import load_graph
    from kg.viz import write_html

    t = time.perf_counter()
    res = write_html(load_graph(graph_file), html, title=title)
    return {"entities": res.nodes, "relations": res.edges, "clusters": res.clusters,
            "seconds": round(time.perf_counter() - t, 1)}


def shoot(browser, html: Path, png: Path, *, click_top_hub: bool = False) -> None:
    url = html.resolve().as_uri()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
    page.goto(url)
    page.wait_for_function("window.kgReady === true", timeout=120_000)
    if click_top_hub:
        hub = page.evaluate("kgViewer.hubs(1)[0]")
        page.evaluate("(id) => kgViewer.centreOn(id, kgViewer.scale())", hub)
        page.wait_for_timeout(200)
        pos = page.evaluate("(id) => kgViewer.domPosition(id)", hub)
        box = page.locator("#kg-network").bounding_box()
        page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        page.wait_for_selector("#kg-panel[data-kind=node]")
    page.wait_for_timeout(300)
    png.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(png))
    page.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "img")
    ap.add_argument("--synthetic-triples", type=int, default=1_000_000,
                    help="size of the make_synthetic.py graph (1,000,000 lines give about 5,000 entities)")
    ap.add_argument("--work", type=Path, help="folder for the built graphs and pages, reused when run again "
                                              "(default: a new temporary folder)")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from playwright.sync_api import sync_playwright

    from benchmarks.make_synthetic import generate

    work = args.work or Path(tempfile.mkdtemp(prefix="kg-screenshots-"))
    work.mkdir(parents=True, exist_ok=True)
    gold = ["tests/data/seed", "tests/data/dev-corpus", "tests/data/holdout"]
    pages = {
        "seed": (kg_build(["tests/data/seed"], work / "seed"), "Seed corpus: social e-commerce 2025"),
        "gold": (kg_build(gold, work / "gold"), "The three gold corpora together"),
        "real": (kg_build(gold + ["train"], work / "real"), "Gold corpora and train/ together"),
    }
    syn = work / f"synthetic-{args.synthetic_triples}.nt"
    if not syn.is_file():
        generate(args.synthetic_triples, str(syn))
    pages["synthetic-5k"] = (syn, "Synthetic graph (benchmarks/make_synthetic.py)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, (graph_file, title) in pages.items():
            html = work / f"{name}.html"
            info = write_page(graph_file, html, title)
            shoot(browser, html, args.out / f"{name}.png")
            print(f"{name}: {info} -> {args.out / (name + '.png')}")
            if name == "gold":
                shoot(browser, html, args.out / "gold-focus.png", click_top_hub=True)
                print(f"gold-focus -> {args.out / 'gold-focus.png'}")
        browser.close()


if __name__ == "__main__":
    main()
