"""Store: one named graph per article, re-loading replaces, and the store answers like rdflib."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg.errors import GraphFileError
from kg.store import add_to_store, load_files, load_graph, open_source, open_store
from kg.store.load import ENTITIES_GRAPH, FACTS_GRAPH

A1 = "https://w3id.org/platform-kg/id/article/a1"
A2 = "https://w3id.org/platform-kg/id/article/a2"
TMALL_PARTNER = (ox.NamedNode("https://w3id.org/platform-kg/id/org/tmall"),
                 ox.NamedNode("https://w3id.org/platform-kg/ontology#partnerOf"),
                 ox.NamedNode("https://w3id.org/platform-kg/id/org/xiaohongshu"))


def _values(g):
    """Triples with typed literals compared by value (Oxigraph keeps decimals in canonical form)."""
    from rdflib import Literal

    def norm(t):
        return (t.datatype, t.toPython()) if isinstance(t, Literal) and t.datatype else t
    return {tuple(norm(t) for t in tr) for tr in g}


def _graphs(store):
    return {g.value for g in store.named_graphs()}


@pytest.mark.parametrize("ext", [".ttl", ".nt", ".jsonld", ".rdf", ".trig"])
def test_load_graph_any_syntax(tmp_path, sample_graph_path, ext):
    g = load_graph(sample_graph_path)
    path = tmp_path / f"graph{ext}"
    fmt = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml", ".trig": "trig"}[ext]
    g.serialize(path, format=fmt)
    assert isomorphic(load_graph(path), g)


def test_load_graph_parse_error_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://e/> .\nx:a x:b x:c .\nx:a x:b \"unterminated .\n", encoding="utf-8")
    with pytest.raises(GraphFileError, match=r"bad\.ttl:3"):
        load_graph(bad)
    with pytest.raises(GraphFileError, match=r"bad\.ttl:3"):
        open_source(bad)


@pytest.mark.parametrize("path", ["missing.ttl", "graph.unknown"])
def test_load_graph_bad_path(tmp_path, path):
    (tmp_path / "graph.unknown").write_text("x")
    with pytest.raises(GraphFileError):
        load_graph(tmp_path / path)


def test_store_one_named_graph_per_article(tmp_path, sample_graph_path):
    store_dir = tmp_path / "store"
    report = load_files([sample_graph_path], store_dir)
    assert report.articles == 2 and report.replaced == 0
    store = open_store(store_dir)
    assert {A1, A2} <= _graphs(store)
    # statements live in their article's graph; facts and entities once, in their shared graphs
    st = ox.NamedNode("https://w3id.org/platform-kg/id/statement/s1")
    assert {q.graph_name.value for q in store.quads_for_pattern(st, None, None, None)} == {A1}
    assert [q.graph_name for q in store.quads_for_pattern(*TMALL_PARTNER, None)] == [FACTS_GRAPH]
    conan = ox.NamedNode("https://w3id.org/platform-kg/id/person/conan")
    assert {q.graph_name for q in store.quads_for_pattern(conan, None, None, None)} >= {ENTITIES_GRAPH}


def test_store_reload_replaces_without_duplicates(tmp_path, sample_graph_path):
    store_dir = tmp_path / "store"
    load_files([sample_graph_path], store_dir)
    n = len(open_store(store_dir, read_only=True))
    report = load_files([sample_graph_path], store_dir)
    assert report.replaced == 2
    store = open_store(store_dir)
    assert len(store) == n
    del store  # one process, one open store: a read-only open next to a writer is not supported
    assert _values(load_graph(store_dir)) == _values(load_graph(sample_graph_path))


def test_store_reload_changed_article_drops_unsupported_fact(tmp_path, sample_graph_path):
    store = ox.Store()
    g = load_graph(sample_graph_path)
    add_to_store(g, store)
    assert ox.Quad(*TMALL_PARTNER, FACTS_GRAPH) in store
    # a new version of article a1 no longer states Tmall partnerOf Xiaohongshu
    s2 = URIRef("https://w3id.org/platform-kg/id/statement/s2")
    g2 = Graph()
    for t in g:
        if t[0] != s2 and t != tuple(URIRef(x.value) for x in TMALL_PARTNER):
            g2.add(t)
    report = add_to_store(g2, store)
    assert report.facts_removed == 1
    assert ox.Quad(*TMALL_PARTNER, FACTS_GRAPH) not in store
    assert not list(store.quads_for_pattern(ox.NamedNode(str(s2)), None, None, None))


def test_store_locked_by_another_writer(tmp_path, sample_graph_path):
    import subprocess
    import sys

    store_dir = tmp_path / "store"
    load_files([sample_graph_path], store_dir)
    holder = subprocess.Popen([sys.executable, "-c",
                               f"import pyoxigraph,sys,time; s=pyoxigraph.Store({str(store_dir)!r}); "
                               "print('ok', flush=True); time.sleep(30)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        with pytest.raises(GraphFileError, match="locked by another writer"):
            load_files([sample_graph_path], store_dir)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("how", ["load_files", "add_to_store"])
def test_store_directory_keeps_no_write_ahead_log(tmp_path, sample_graph_path, how):
    """A load leaves the directory as big as its data: RocksDB's write-ahead log of the load (for
    1M triples, ~700 MB next to ~290 MB of data) is dropped, and the data is all there."""
    store_dir = tmp_path / "store"
    if how == "load_files":
        load_files([sample_graph_path], store_dir)
    else:
        add_to_store(load_graph(sample_graph_path), store_dir)
    logs = [p for p in store_dir.iterdir() if p.suffix == ".log" and p.name != "LOG"]
    assert logs and all(p.stat().st_size == 0 for p in logs), [(p.name, p.stat().st_size) for p in logs]
    assert _values(load_graph(store_dir)) == _values(load_graph(sample_graph_path))


@pytest.mark.parametrize("source", ["sample", "seed"])
def test_store_bulk_file_load_equals_graph_load(source, tmp_path, sample_graph_path, request):
    """``kg load`` (two streaming passes, the bulk loader) puts every quad where ``add_to_store`` does,
    also when reloading a changed article (replacement and fact bookkeeping)."""
    path = sample_graph_path if source == "sample" else request.getfixturevalue("seed_graph_path")
    g = load_graph(path)
    via_graph, via_file = ox.Store(), ox.Store()
    r1, r2 = add_to_store(g, via_graph), load_files([path], via_file)
    assert (r1.articles, r1.triples) == (r2.articles, r2.triples)
    assert set(via_graph) == set(via_file)
    # a changed version of one article: its statement and the fact it supported go away
    s2 = URIRef("https://w3id.org/platform-kg/id/statement/s2")
    g2 = Graph()
    for t in g:
        if t[0] != s2 and t != tuple(URIRef(x.value) for x in TMALL_PARTNER):
            g2.add(t)
    changed = tmp_path / "changed.nt"
    g2.serialize(changed, format="nt")
    r1, r2 = add_to_store(g2, via_graph), load_files([changed], via_file)
    assert (r1.replaced, r1.facts_removed) == (r2.replaced, r2.facts_removed)
    assert set(via_graph) == set(via_file)


def test_store_bad_second_file_leaves_store_untouched(tmp_path, sample_graph_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("<a> <b> .\n")
    store = ox.Store()
    with pytest.raises(GraphFileError, match="bad.nt:1"):
        load_files([sample_graph_path, bad], store)
    assert len(store) == 0
