"""Extraction over article shards in a pool of local processes (``kg build --workers N``): the same
graph, byte for byte, as one process, however the corpus is cut."""
from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg.cli import cli
from kg.extract.shards import plan_shards
from kg.ingest.article import Article, Passage

from conftest import DEV_DIR, SEED_DIR

CORPUS = [SEED_DIR / "social-ecommerce-digest-2025.txt", DEV_DIR / "articles.txt"]


@pytest.fixture(scope="module")
def serial_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    res = CliRunner().invoke(cli, ["build", *map(str, CORPUS), "-o", str(out), "--no-html", "-q", "--workers", "1"])
    assert res.exit_code == 0, res.output
    return out / "graph.ttl"


def test_workers_2_writes_the_graph_of_one_process(serial_build, tmp_path):
    res = CliRunner().invoke(cli, ["build", *map(str, CORPUS), "-o", str(tmp_path), "--no-html", "-q",
                                   "--workers", "2"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "graph.ttl").read_bytes() == serial_build.read_bytes()


def test_one_article_per_shard_gives_the_same_extractions(nlp):
    """The smallest shards (and so the second pass's names gathered across all of them) change nothing."""
    from kg.extract.pipeline import extract_articles
    from kg.extract.shards import LocalPool, extract_sharded
    from kg.ingest import read_inputs

    articles, _ = read_inputs([str(DEV_DIR / "articles.txt")])
    serial_errors: list[str] = []
    serial = extract_articles(nlp, articles, errors=serial_errors)
    done: list[int] = []
    sharded_errors: list[str] = []
    with LocalPool(2) as pool:
        sharded = extract_sharded(pool, articles, shard_chars=1, progress=done.append, errors=sharded_errors)
    assert sharded == serial and sharded_errors == serial_errors
    assert [ex.article for ex in sharded] == articles  # the caller's own Article objects come back
    assert sorted(done) == sorted(len(a.passages) for a in articles)  # one tick per shard of one article


def _articles(sizes: list[int]) -> list[Article]:
    return [Article(id=str(i), title="", path="x.txt", line=i, passages=[Passage(text="a" * n)])
            for i, n in enumerate(sizes)]


@given(st.lists(st.integers(min_value=0, max_value=5000), max_size=60), st.integers(1, 8),
       st.integers(1, 20000))
def test_shards_cover_every_article_once_in_order(sizes, workers, max_chars):
    shards = plan_shards(_articles(sizes), workers, max_chars)
    assert [i for s in shards for i in s] == list(range(len(sizes)))
    assert all(len(s) for s in shards)
    # a shard only grows past the cap by its last article
    assert all(sum(sizes[i] for i in s[:-1]) < max_chars for s in shards)


def test_a_model_the_workers_cannot_load_is_one_line(tmp_path):
    res = CliRunner().invoke(cli, ["build", str(CORPUS[0]), "-o", str(tmp_path), "--no-html", "-q",
                                   "--workers", "2", "--model", "no_such_model"])
    assert res.exit_code == 1
    assert res.output.startswith("Error: cannot load spaCy pipeline 'no_such_model'") and "Traceback" not in res.output
    assert not (tmp_path / "graph.ttl").exists()


def _children(pid: int) -> list[int]:
    from pathlib import Path

    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_workers_of_a_killed_build_do_not_outlive_it(tmp_path):
    """``kill -9`` of ``kg build --workers 2``: its fork server and workers leave within seconds
    (they would otherwise wait for work forever)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    news = tmp_path / "news"
    news.mkdir()
    for i in range(3000):
        (news / f"{i:05d}.txt").write_text(f"Note {i}\n\nShop {i} opened in Jakarta with Grab.\n", encoding="utf-8")
    kg = Path(sys.executable).with_name("kg")
    proc = subprocess.Popen([str(kg), "build", str(news), "-o", str(tmp_path / "out"), "--workers", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        family: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None:
            family = [p for c in _children(proc.pid) for p in (c, *_children(c))]
            if len(family) >= 3:  # the fork server and two workers
                break
            time.sleep(0.2)
        assert len(family) >= 3 and proc.poll() is None, "the build ended before its workers were seen"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in family):
        time.sleep(0.2)
    alive = [p for p in family if Path(f"/proc/{p}").exists()]
    for p in alive:
        os.kill(p, signal.SIGKILL)
    assert not alive, f"left behind: {alive}"


def test_a_worker_keeps_its_first_phase_for_the_second(nlp):
    """A shard's second phase on the worker that ran its first reuses the Docs and NER vectors it
    kept (here this process plays the worker), and gives what one process gives."""
    from kg.extract import shards
    from kg.extract.pipeline import NAMES_RULER, discovered_names, extract_articles, load_pipeline
    from kg.ingest import read_inputs

    articles, _ = read_inputs([str(DEV_DIR / "articles.txt")])
    shards.init_worker(None, None, where="here")
    worker_nlp = load_pipeline(None, None)  # the worker's pipeline: this process's, under its cache key
    try:
        records, errors, where = shards.run_shard(articles, None, "first-b1")
        assert where == "here" and errors == [] and shards._WORKER["kept"] and shards._WORKER["memo"].vectors
        names = discovered_names([ex for _, ex in records])
        records, errors, _ = shards.run_shard(articles, names, "second-b1")
        assert not shards._WORKER["kept"] and not shards._WORKER["memo"].vectors  # all taken
    finally:
        shards._WORKER.pop("memo_stack").close()
        shards._use_names(worker_nlp, "done", None)
        shards._WORKER.clear()
    assert NAMES_RULER not in worker_nlp.pipe_names
    assert worker_nlp.get_pipe("ner").model.layers[0].name != "kg_ner_vectors_once"
    assert [ex for _, ex in records] == [replace(ex, article=None) for ex in extract_articles(nlp, articles)]
