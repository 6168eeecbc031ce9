"""Build speed and memory of ``kg build`` on a generated news corpus, side by side in one run.

Prints, on corpora written by ``make_news.py`` (invented names, several phrasings, Zipf-like casts):

* words/s of ``kg build`` (one process) against raw ``nlp.pipe`` of the same spaCy model over the
  same text, both as fresh processes that load the model (CPU seconds), with and without
  validation and graph.html;
* wall time of ``--workers 2`` against ``--workers 1``, and of ``--dask local`` (2 workers)
  against the serial build, with the outputs compared byte for byte;
* peak RSS of a one-process build at each ``--sizes`` (words), with the number of windows of
  ``kg build --window`` (default) and the output (a corpus of more than one window is streamed
  to graph.nq), and the ratio of the biggest size's peak to that at 100k words (or the next
  smaller size);
* adding 10 new articles to a store of ``--store-articles`` articles (``kg build NEW --store DIR``)
  against building those 10 alone (the store is filled with ``make_synthetic.py`` articles through
  ``kg load``, with an incremental record for each, so its size is what is measured);
* the time 10^8 words would take on this machine and on ten such machines, from the fastest
  build measured here.

Each figure comes from its own child process (so peak RSS is that build's alone). The machine may
be shared: the load average is printed, and the ratios, measured in this one run, are what count.

    python benchmarks/bench_build.py                      # speed on ~30k words, RSS at 10k/100k/1M words
    python benchmarks/bench_build.py --words 20000 --sizes 10000 100000
    python benchmarks/bench_build.py --only rss --sizes 10000 100000 1000000   # the memory figures alone
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS_PER_ARTICLE = 210  # what make_news.py writes, on average (title and body)


def corpus(tmp: Path, words: int, seed: int = 7) -> Path:
    path = tmp / f"news-{words}.txt"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "make_news.py"), "--articles", str(max(2, words // WORDS_PER_ARTICLE)),
                        "--seed", str(seed), "-o", str(path)], check=True, stdout=subprocess.DEVNULL)
    return path


def count_words(path: Path) -> int:
    from kg.ingest import read_inputs

    articles, _ = read_inputs([str(path)])
    return sum(len(p.text.split()) for a in articles for p in a.passages) + sum(len(a.title.split()) for a in articles)


def windows(path: Path) -> int:
    """How many windows ``kg build`` (default --window) cuts this corpus into."""
    from kg.ingest import read_inputs
    from kg.pipeline import plan_windows

    articles, _ = read_inputs([str(path)])
    return len(plan_windows(articles))


def child(*args: str) -> dict:
    """Run this script in ``--child`` mode; its wall time, CPU seconds and peak RSS."""
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"bench_build: child {args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(args: list[str]) -> None:
    """In the child: ``raw FILE`` (load the model, nlp.pipe over the passages and titles) or
    ``build ARGS...`` (the ``kg build`` command with those arguments)."""
    import resource

    t0, c0 = time.perf_counter(), time.process_time()
    if args[0] == "raw":
        import spacy

        from kg.extract.pipeline import pick_model, with_final_stop
        from kg.ingest import read_inputs

        articles, _ = read_inputs([args[1]])
        nlp = spacy.load(pick_model())
        texts = [with_final_stop(p.text) for a in articles for p in a.passages] + [a.title for a in articles]
        for _ in nlp.pipe(texts, batch_size=64):
            pass
    else:
        from click.testing import CliRunner

        from kg.cli import cli

        res = CliRunner().invoke(cli, ["build", *args[1:]])
        if res.exit_code:
            sys.exit(f"kg build failed ({res.exit_code}): {res.output[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                      "rss_mb": usage.ru_maxrss / 1024}))


def big_store(tmp: Path, articles: int) -> Path:
    """A store of ``articles`` generated articles (kg load of make_synthetic.py's N-Triples), each with
    the record an incremental build leaves."""
    import pyoxigraph as ox

    from kg.rdf.namespace import PKG
    from kg.store.incremental import CONTENT_HASH, IDENTITY, SOURCES_GRAPH

    nt, store = tmp / "store.nt", tmp / "store"
    subprocess.run([sys.executable, str(HERE / "make_synthetic.py"), "--triples", str(articles * 186), "-o", str(nt)],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([str(Path(sys.executable).with_name("kg")), "load", str(nt), "--store", str(store)], check=True,
                   stdout=subprocess.DEVNULL)
    st = ox.Store(str(store))
    typ = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    iris = [q.subject for q in st.quads_for_pattern(None, typ, ox.NamedNode(str(PKG.Article)), None)]
    st.extend([ox.Quad(i, p, ox.Literal(f"{p.value[-4:]}-{k}"), SOURCES_GRAPH)
               for k, i in enumerate(iris) for p in (CONTENT_HASH, IDENTITY)])
    st.flush()
    del st
    print(f"store: {len(iris)} articles", flush=True)
    return store


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


SECTIONS = ("speed", "workers", "rss", "incremental")


def graph_file(out: Path) -> Path:
    """The graph a build wrote: graph.ttl, or graph.nq for a streamed build."""
    return out / "graph.nq" if (out / "graph.nq").exists() else out / "graph.ttl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=30000, help="corpus size for the speed ratios")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000],
                    help="corpus sizes (words) for peak RSS")
    ap.add_argument("--store-articles", type=int, default=10_000, help="store size for the incremental add")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                    help="run only these sections (the projection comes with workers)")
    ap.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return run_child(args.child)

    with tempfile.TemporaryDirectory(prefix="bench-build-") as d:
        tmp = Path(d)
        news = corpus(tmp, args.words)
        words = count_words(news)
        print(f"corpus: {news.name}, {words} words (make_news.py); load average {load()}", flush=True)

        if "speed" in args.only:
            raw = child("raw", str(news))
            full = child("build", str(news), "-o", str(tmp / "full"), "-q", "--workers", "1")
            bare = child("build", str(news), "-o", str(tmp / "bare"), "-q", "--workers", "1", "--no-validate",
                         "--no-html")
            print(f"\n-- one process, CPU seconds (model load included in all three); load average {load()}")
            print(f"raw nlp.pipe:                        {raw['cpu']:7.1f} s  {words / raw['cpu']:7.0f} words/s")
            for name, r in (("kg build", full), ("kg build --no-validate --no-html", bare)):
                print(f"{name:36} {r['cpu']:7.1f} s  {words / r['cpu']:7.0f} words/s  "
                      f"{raw['cpu'] / r['cpu']:.2f}x raw")

        if "workers" in args.only:
            one = child("build", str(news), "-o", str(tmp / "w1"), "-q", "--no-html", "--no-validate", "--workers", "1")
            two = child("build", str(news), "-o", str(tmp / "w2"), "-q", "--no-html", "--no-validate", "--workers", "2")
            dask = child("build", str(news), "-o", str(tmp / "dask"), "-q", "--no-html", "--no-validate", "--workers",
                         "2", "--dask", "local")
            same_w = graph_file(tmp / "w1").read_bytes() == graph_file(tmp / "w2").read_bytes()
            same_d = graph_file(tmp / "w1").read_bytes() == graph_file(tmp / "dask").read_bytes()
            print(f"\n-- wall seconds, --no-validate --no-html; {os.cpu_count()} cores; load average {load()}")
            print(f"--workers 1:                         {one['wall']:7.1f} s  {words / one['wall']:7.0f} words/s")
            print(f"--workers 2:                         {two['wall']:7.1f} s  {words / two['wall']:7.0f} words/s  "
                  f"{one['wall'] / two['wall']:.2f}x --workers 1  (graphs identical: {same_w})")
            print(f"--dask local (2 workers):            {dask['wall']:7.1f} s  {words / dask['wall']:7.0f} words/s  "
                  f"{one['wall'] / dask['wall']:.2f}x serial  (graphs identical: {same_d})")

        if "rss" in args.only:
            print(f"\n-- peak RSS of a one-process build (--no-html --no-validate, default --window); load average {load()}")
            peaks = {}
            for size in args.sizes:
                path = corpus(tmp, size, seed=11)
                r = child("build", str(path), "-o", str(tmp / f"rss{size}"), "-q", "--workers", "1", "--no-html",
                          "--no-validate")
                peaks[size] = r["rss_mb"]
                out = graph_file(tmp / f"rss{size}").name
                print(f"{count_words(path):9} words: peak RSS {r['rss_mb']:7.0f} MB  {r['wall']:7.1f} s wall  "
                      f"{windows(path):3} window(s) -> {out}; load average {load()}", flush=True)
            if len(peaks) > 1:
                big = max(peaks)
                base = 100_000 if 100_000 in peaks and big != 100_000 else max(k for k in peaks if k != big)
                print(f"peak RSS at {big:,} words / at {base:,} words: {peaks[big] / peaks[base]:.2f}x")

        if "incremental" in args.only:
            print(f"\n-- incremental: 10 new articles into a store of {args.store_articles} articles; load average {load()}",
                  flush=True)
            store = big_store(tmp, args.store_articles)
            new = corpus(tmp, 10 * WORDS_PER_ARTICLE, seed=23)
            alone = child("build", str(new), "-o", str(tmp / "alone"), "-q", "--no-html", "--workers", "1")
            into = child("build", str(new), "-o", str(tmp / "into"), "-q", "--no-html", "--workers", "1", "--store",
                         str(store))
            again = child("build", str(new), "-o", str(tmp / "again"), "-q", "--no-html", "--workers", "1", "--store",
                          str(store))
            print(f"build the 10 alone:                  {alone['wall']:7.1f} s wall")
            print(f"add them to the store:               {into['wall']:7.1f} s wall  {into['wall'] / alone['wall']:.2f}x alone")
            print(f"the same again (nothing to build):   {again['wall']:7.1f} s wall")

        if "workers" in args.only:
            best = max(words / one["wall"], words / two["wall"])
            per_machine = words / dask["wall"]
            print("\n-- projection for 10^8 words (linear in words; resolution and writing in one client process are "
                  "not included in the cluster's share)")
            print(f"this machine, best of --workers 1/2:  {1e8 / best / 3600:7.1f} h")
            print(f"ten such machines (Dask, 2 workers each, at the rate --dask local reached): "
                  f"{1e8 / (10 * per_machine) / 3600:7.1f} h")


if __name__ == "__main__":
    main()
