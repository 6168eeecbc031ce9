"""Streamed builds (``kg build --window``, ``--format nq``): records go to disk window by window,
memory holds the Docs of one window, and graph.nq is what ``kg export -f nq`` writes of the same
graph, byte for byte."""
from __future__ import annotations

import gc
import json

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg.cli import cli
from kg.ingest.article import Article, Passage
from kg.pipeline import plan_windows

from conftest import DEV_DIR, SEED_DIR

CORPUS = [str(SEED_DIR / "social-ecommerce-digest-2025.txt"), str(DEV_DIR / "articles.txt")]


def _build(out, *args):
    res = CliRunner().invoke(cli, ["build", *CORPUS, "-o", str(out), "--no-html", "-q", "--json", "--workers", "1",
                                   *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


@pytest.fixture(scope="module")
def turtle_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("ttl")
    return out, _build(out)


def test_streamed_nquads_equal_the_export_of_the_graph(turtle_build, tmp_path):
    """One window, streamed: resolution from the records on disk and the N-Quads writer give
    exactly the export of the in-memory graph, and the same summary."""
    import pyoxigraph as ox

    ttl_dir, ttl_summary = turtle_build
    summary = _build(tmp_path / "nq", "--format", "nq")
    res = CliRunner().invoke(cli, ["export", str(ttl_dir / "graph.ttl"), "-f", "nq", "-o", str(tmp_path / "x.nq")])
    assert res.exit_code == 0, res.output
    streamed = (tmp_path / "nq" / "graph.nq").read_bytes()
    assert streamed == (tmp_path / "x.nq").read_bytes()
    assert not (tmp_path / "nq" / "graph.ttl").exists()
    same = {k: v for k, v in summary.items() if k not in ("outputs", "shacl_violations", "streamed")}
    assert same == {k: v for k, v in ttl_summary.items() if k not in ("outputs", "shacl_violations", "streamed")}
    assert summary["streamed"] and summary["shacl_violations"] is None
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "nq" / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    assert len(store) == streamed.count(b"\n")
    assert len(list(store.named_graphs())) == summary["articles"]


def test_windowed_build_with_two_workers_equals_one(tmp_path):
    """Windows of a few articles: the names are carried from window to window in the same way
    whether one process or a pool extracts."""
    one = _build(tmp_path / "one", "--window", "3000")
    two = _build(tmp_path / "two", "--window", "3000", "--workers", "2")
    assert one["windows"] == two["windows"] > 5
    assert (tmp_path / "one" / "graph.nq").read_bytes() == (tmp_path / "two" / "graph.nq").read_bytes()


def _live_docs(texts: set[str]) -> int:
    """The spaCy Docs of these texts alive now (not the pipeline's own: its rulers' patterns are Docs)."""
    from spacy.tokens import Doc

    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Doc) and o.text in texts)


def test_windows_write_records_as_they_go_and_keep_one_window_of_docs(tmp_path, monkeypatch):
    """With a window of about one article, the records of the windows done are on disk while the
    next ones are extracted, and the Docs alive at any moment are those of one window, not the
    corpus's (one window of the whole corpus, the control, keeps them all for its second pass)."""
    import tempfile

    from kg.extract.pipeline import load_pipeline, with_final_stop
    from kg.ingest import read_inputs
    from kg.pipeline import build_graph

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the build's records go
    articles, _ = read_inputs(CORPUS)
    texts = {with_final_stop(p.text) for a in articles for p in a.passages} | {a.title for a in articles}
    passages = sum(len(a.passages) for a in articles)
    biggest = max(len(a.passages) for a in articles) + 1  # (a window's passages and title)
    load_pipeline()
    seen: dict[str, list] = {"docs": [], "on disk": []}

    def progress(total):
        count = {"n": 0}

        def tick(n):
            count["n"] += n
            if count["n"] % 9 == 0:
                seen["docs"].append(_live_docs(texts))
                seen["on disk"].append(sum(p.stat().st_size for p in tmp_path.glob("kg-build-*/records.pickle")))
        return tick

    result = build_graph(CORPUS, window=1500, output="nq", progress=progress)
    windowed = max(seen["docs"])
    assert result.windows > 10 and result.streamed.spool.count == len(articles)
    final = result.streamed.spool.path.stat().st_size
    result.streamed.close()
    assert not list(tmp_path.iterdir())  # the records are gone with the build
    assert final / 2 < max(seen["on disk"]) < final  # written window by window, while extraction went on
    seen["docs"].clear()
    build_graph(CORPUS, window=10**9, output="ttl", progress=progress)
    assert windowed <= 3 * biggest < passages <= max(seen["docs"])


def test_store_with_nquads_is_refused_in_one_line(tmp_path):
    res = CliRunner().invoke(cli, ["build", CORPUS[0], "-o", str(tmp_path), "--store", str(tmp_path / "s"),
                                   "--format", "nq"])
    assert res.exit_code == 2 and "--store adds the graph from memory" in res.output


def _articles(sizes: list[int]) -> list[Article]:
    return [Article(id=str(i), title="", passages=[Passage(text="a" * n)]) for i, n in enumerate(sizes)]


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=60), st.integers(1, 20000))
def test_windows_cover_the_corpus_in_order_within_the_window(sizes, window):
    windows = plan_windows(_articles(sizes), window)
    assert [i for w in windows for i in w] == list(range(len(sizes)))
    for w in windows:
        assert sum(sizes[i] for i in w) <= window or sum(1 for i in w if sizes[i]) == 1  # (or one long article)
    if sum(sizes) <= window:
        assert len(windows) == 1
