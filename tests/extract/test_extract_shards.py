"""Extraction over article shards in a pool of local processes (``kg build --workers N``): the same
graph, byte for byte, as one process, however the corpus is cut."""
from __future__ import annotations

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
