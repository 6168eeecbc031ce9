"""Incremental builds into a store (``kg build NEW --store DIR``): only articles the store has not
seen, or whose text changed, are extracted again.

The store keeps, per article, a content hash and an identity in its own named graph
(:data:`SOURCES_GRAPH`), outside the article graphs so that the data model and the shapes are
untouched. An article whose hash is in the store is skipped before the model sees it, so re-running
a build on the same inputs changes nothing. An article IRI is a digest of the text, so an edited
article is a new IRI; its identity (the URL, or source, date and title) names the version it
replaces: that article graph is removed, with the facts only it supported.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.rdf.namespace import ENTITY_BASE

SOURCES_GRAPH = ox.NamedNode(ENTITY_BASE + "graph/sources")
CONTENT_HASH = ox.NamedNode(ENTITY_BASE + "build#contentHash")
IDENTITY = ox.NamedNode(ENTITY_BASE + "build#identity")


def content_hash(article) -> str:
    """What the graph of an article is made from: its metadata and its passages' text."""
    from kg.resolve.iri import digest

    return digest(article.id, article.title, article.date, article.source, article.url, article.location,
                  *(p.text for p in article.passages), length=40)


def identity(article) -> str:
    """What stays when an article is edited: its URL, else its source, date and title (and file
    when it has neither source nor date)."""
    from kg.resolve.iri import digest

    if article.url:
        return article.url
    where = "" if (article.source or article.date) else article.path
    return digest(article.source, article.date, article.title, where, length=16)


@dataclass
class Plan:
    """What an incremental build does: the articles to build, and what to record after it."""

    build: list = field(default_factory=list)
    unchanged: int = 0
    records: dict = field(default_factory=dict)  # new article IRI -> (identity, content hash)
    replaces: dict = field(default_factory=dict)  # new article IRI -> the IRI of its earlier version


def plan(articles: list, store_dir) -> Plan:
    """Which articles the store at ``store_dir`` lacks (all of them if there is no store yet)."""
    from kg.resolve.iri import article_iri

    from kg.store import is_store_dir, open_store

    known: dict[str, str] = {}
    by_identity: dict[str, str] = {}
    if is_store_dir(store_dir):
        store = open_store(store_dir, read_only=True)
        try:
            for q in store.quads_for_pattern(None, None, None, SOURCES_GRAPH):
                if q.predicate == CONTENT_HASH:
                    known[q.subject.value] = q.object.value
                elif q.predicate == IDENTITY:
                    by_identity[q.object.value] = q.subject.value
        finally:
            del store
    out = Plan()
    for a in articles:
        iri, digest_ = str(article_iri(a.id)), content_hash(a)
        if known.get(iri) == digest_:
            out.unchanged += 1
            continue
        out.build.append(a)
        key = identity(a)
        out.records[iri] = (key, digest_)
        old = by_identity.get(key)
        if old is not None and old != iri:
            out.replaces[iri] = old
    return out


def finish(store_dir, p: Plan, graph) -> int:
    """After the new graph was added: remove the earlier versions of edited articles (and the facts
    only they supported) and record what was built; the number of facts removed. An article whose
    extraction failed is not in ``graph``: nothing is recorded for it, so it is tried again."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    from kg.rdf.namespace import PKG
    from kg.store import open_store

    built = {iri: rec for iri, rec in p.records.items() if (URIRef(iri), RDF.type, PKG.Article) in graph}
    store = open_store(store_dir)
    try:
        removed = remove_articles(store, [p.replaces[i] for i in built if i in p.replaces])
        for iri, (key, digest_) in built.items():
            node = ox.NamedNode(iri)
            for q in list(store.quads_for_pattern(node, None, None, SOURCES_GRAPH)):
                store.remove(q)
            store.add(ox.Quad(node, CONTENT_HASH, ox.Literal(digest_), SOURCES_GRAPH))
            store.add(ox.Quad(node, IDENTITY, ox.Literal(key), SOURCES_GRAPH))
        store.flush()
    finally:
        del store
    return removed


def remove_articles(store, iris: list[str]) -> int:
    """Remove whole article graphs and their records; facts no remaining statement supports go too."""
    from kg.store.load import FACTS_GRAPH, _asserted_keys, _supported

    dropped: set[tuple] = set()
    for iri in iris:
        g = ox.NamedNode(iri)
        if store.contains_named_graph(g):
            dropped |= _asserted_keys(store, g)
            store.remove_graph(g)
        for q in list(store.quads_for_pattern(g, None, None, SOURCES_GRAPH)):
            store.remove(q)
    removed = 0
    for s, p, o in dropped:
        quad = ox.Quad(s, p, o, FACTS_GRAPH)
        if quad in store and not _supported(store, s, p, o):
            store.remove(quad)
            removed += 1
    return removed
