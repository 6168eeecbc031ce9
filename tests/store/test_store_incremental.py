"""``kg build NEW --store DIR`` is incremental and idempotent: articles the store holds unchanged are
not built again, an edited article replaces its facts, a re-run changes nothing."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.store.incremental import content_hash

ARTICLES = {
    "grab": ("Grab buys a grocer", "Grab acquired Jaya Grocer in Malaysia in 2021."),
    "shopee": ("Shopee in Indonesia", "Shopee competes with Lazada in Indonesia."),
}
EDITED = "Shopee launched ShopeePay in Vietnam in 2022."


def digest(articles: dict) -> str:
    return "".join(f"{title}\nWire· 2025-01-0{i + 1} 10:00\n{body}\n"
                   for i, (title, body) in enumerate(articles.values()))


def build(path, store, out):
    res = CliRunner().invoke(cli, ["build", str(path), "--store", str(store), "-o", str(out), "--no-html",
                                   "--workers", "1"])
    assert res.exit_code == 0, res.output
    return res.output


def quads(store_dir) -> set:
    store = ox.Store.read_only(str(store_dir))
    try:
        return {(q.subject, q.predicate, q.object, q.graph_name) for q in store}
    finally:
        del store


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    d = tmp_path_factory.mktemp("incremental")
    news = d / "news.txt"
    news.write_text(digest(ARTICLES), encoding="utf-8")
    build(news, d / "store", d / "o1")
    return d, news, quads(d / "store")


def test_rerun_on_the_same_input_changes_nothing(first):
    d, news, before = first
    out = build(news, d / "store", d / "o2")
    assert "Unchanged in the store (not built again): 2 articles" in out and "Nothing to build" in out
    assert quads(d / "store") == before  # same triples, same IRIs, same graphs


def test_an_edited_article_replaces_its_facts(tmp_path):
    news, store = tmp_path / "news.txt", tmp_path / "store"
    news.write_text(digest(ARTICLES), encoding="utf-8")
    build(news, store, tmp_path / "o1")
    before = quads(store)
    news.write_text(digest({**ARTICLES, "shopee": (ARTICLES["shopee"][0], EDITED)}), encoding="utf-8")
    out = build(news, store, tmp_path / "o2")
    assert "Unchanged in the store (not built again): 1 articles" in out and "Articles: 1 " in out
    after = quads(store)
    texts = {o.value for _, _, o, _ in after if isinstance(o, ox.Literal)}
    assert EDITED in texts and ARTICLES["shopee"][1] not in texts  # the old version's statements are gone
    competes = [q for q in after if q[1].value.endswith("competesWith")]
    assert competes == [] and [q for q in before if q[1].value.endswith("competesWith")]  # and its fact
    grab = next(q[0] for q in before if isinstance(q[2], ox.Literal) and q[2].value == ARTICLES["grab"][0])
    assert {q for q in before if q[3] == grab} == {q for q in after if q[3] == grab}  # the other is untouched
    assert "Nothing to build" in build(news, store, tmp_path / "o3")  # and the store is up to date


def test_content_hash_follows_the_text_only():
    from kg.ingest.article import Article, Passage

    a = Article(id="x", title="T", path="p.txt", line=1, passages=[Passage(text="Grab acquired Jaya Grocer.")])
    same = Article(id="x", title="T", path="p.txt", line=1, passages=[Passage(text="Grab acquired Jaya Grocer.")])
    other = Article(id="x", title="T", path="p.txt", line=1, passages=[Passage(text="Grab acquired Jaya.")])
    assert content_hash(a) == content_hash(same) != content_hash(other)
