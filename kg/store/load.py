"""Adding graphs to an Oxigraph store incrementally: one named graph per article.

Which triple goes where (every triple in exactly one graph, so the union is the input graph):

* **the article's graph** (name = the article IRI): the article node, its statement and metric
  nodes (anything with ``prov:wasDerivedFrom`` the article), ``?e pkg:hasMetric ?m`` for its metrics
  and ``?e pkg:mentionedIn <article>``;
* **the facts graph** (:data:`FACTS_GRAPH`): the direct fact triples (``?s pkg:partnerOf ?o``...).
  A fact may be stated by several articles but is stored once; when an article is replaced, each
  fact it used to state is kept only while some asserted statement in the store still supports it;
* **the entities graph** (:data:`ENTITIES_GRAPH`): everything else, chiefly entity descriptions
  (type, labels, altLabels, sameAs). They are shared by the articles and merged (set semantics), so
  a re-load never duplicates them; a label that disappears from a later build stays until the
  store is rebuilt.

Re-loading an article clears its graph first, so it is replaced, never duplicated.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.rdf.namespace import ENTITY_BASE, PKG, PREDICATES

FACTS_GRAPH = ox.NamedNode(ENTITY_BASE + "graph/facts")
ENTITIES_GRAPH = ox.NamedNode(ENTITY_BASE + "graph/entities")

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE = ox.NamedNode(_RDF + "type")
_SUBJECT = ox.NamedNode(_RDF + "subject")
_PREDICATE = ox.NamedNode(_RDF + "predicate")
_OBJECT = ox.NamedNode(_RDF + "object")
_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
_ARTICLE = ox.NamedNode(str(PKG.Article))
_MENTIONED = ox.NamedNode(str(PKG.mentionedIn))
_HAS_METRIC = ox.NamedNode(str(PKG.hasMetric))
_MODALITY = ox.NamedNode(str(PKG.modality))
_ASSERTED = ox.Literal("asserted")
FACT_PREDICATES = frozenset(ox.NamedNode(str(PKG[p])) for p in PREDICATES)


@dataclass
class LoadReport:
    """What a load did: articles added or replaced, triples written, facts dropped."""

    articles: int = 0
    replaced: int = 0
    triples: int = 0
    facts_removed: int = 0

    def __str__(self) -> str:
        return (f"{self.articles} articles ({self.replaced} replaced), {self.triples} triples written, "
                f"{self.facts_removed} unsupported facts removed")


def partition(triples: Iterable) -> dict:
    """Triples (pyoxigraph ``Triple``/``Quad`` or 3-tuples of pyoxigraph terms) -> {graph name: [Triple]}."""
    triples = [t if isinstance(t, tuple) else (t.subject, t.predicate, t.object) for t in triples]
    articles = {s for s, p, o in triples if p == _TYPE and o == _ARTICLE}
    derived = {s: o for s, p, o in triples if p == _DERIVED and o in articles}
    out: dict = {}
    for s, p, o in triples:
        if s in articles:
            g = s
        elif s in derived:
            g = derived[s]
        elif p == _MENTIONED and o in articles:
            g = o
        elif p == _HAS_METRIC and o in derived:
            g = derived[o]
        elif p in FACT_PREDICATES:
            g = FACTS_GRAPH
        else:
            g = ENTITIES_GRAPH
        out.setdefault(g, []).append(ox.Triple(s, p, o))
    return out


def _asserted_keys(store, graph) -> set[tuple]:
    """(s, p, o) of the asserted statements in one named graph."""
    keys = set()
    for q in store.quads_for_pattern(None, _MODALITY, _ASSERTED, graph):
        st = q.subject
        parts = []
        for pred in (_SUBJECT, _PREDICATE, _OBJECT):
            found = next(iter(store.quads_for_pattern(st, pred, None, graph)), None)
            parts.append(found.object if found else None)
        if None not in parts:
            keys.add(tuple(parts))
    return keys


def _supported(store, s, p, o) -> bool:
    for q in store.quads_for_pattern(None, _SUBJECT, s, None):
        st, g = q.subject, q.graph_name
        if (any(True for _ in store.quads_for_pattern(st, _PREDICATE, p, g))
                and any(True for _ in store.quads_for_pattern(st, _OBJECT, o, g))
                and any(True for _ in store.quads_for_pattern(st, _MODALITY, _ASSERTED, g))):
            return True
    return False


def add_triples(store, triples: Iterable) -> LoadReport:
    """Add pyoxigraph triples to an open store, replacing the articles they hold (see module doc)."""
    parts = partition(triples)
    report = LoadReport()
    dropped: set[tuple] = set()
    for g in parts:
        if g in (FACTS_GRAPH, ENTITIES_GRAPH):
            continue
        report.articles += 1
        if store.contains_named_graph(g):
            report.replaced += 1
            dropped |= _asserted_keys(store, g)
            store.remove_graph(g)
    quads = [ox.Quad(t.subject, t.predicate, t.object, g) for g, ts in parts.items() for t in ts]
    store.extend(quads)
    report.triples = len(quads)
    new_facts = {(t.subject, t.predicate, t.object) for t in parts.get(FACTS_GRAPH, ())}
    for s, p, o in dropped - new_facts:
        quad = ox.Quad(s, p, o, FACTS_GRAPH)
        if quad in store and not _supported(store, s, p, o):
            store.remove(quad)
            report.facts_removed += 1
    return report


def add_to_store(graph, store_dir) -> LoadReport:
    """Add an rdflib Graph (e.g. ``BuildResult.graph``) to the Oxigraph store at ``store_dir``.

    The directory is created if needed. Each article goes into its own named graph and replaces
    any earlier version of it; entities and facts are merged without duplicates. This is what
    ``kg build --store DIR`` calls. ``store_dir`` may also be an open ``pyoxigraph.Store``.
    """
    from kg.store.terms import to_ox

    triples = [(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]
    return _write(store_dir, lambda store: add_triples(store, triples))


def _write(store_dir, add) -> LoadReport:
    """``add(store)`` on an open store, or on the store directory ``store_dir`` (created if
    needed), flushed and closed. A big write leaves RocksDB's write-ahead log in the directory
    (for 1M triples, about 700 MB next to 290 MB of data) until a writer opens it again: it is
    opened once more, so that the directory is only as big as its data."""
    from kg.errors import GraphFileError
    from kg.store import open_store

    if isinstance(store_dir, ox.Store):
        report = add(store_dir)
        store_dir.flush()
        return report
    store = open_store(store_dir, create=True)
    try:
        report = add(store)
        store.flush()
    finally:
        del store
    try:
        store = open_store(store_dir)
    except GraphFileError:  # another writer got there first: the load is done, the log just stays
        return report
    del store
    return report


def _canonical_ntriples(paths: list[Path]) -> list[str]:
    """Every file parsed by pyoxigraph (a bad file raises before anything is written) and written
    back as canonical N-Triples lines, ``<s> <p> <o> .`` with single spaces (graph names dropped)."""
    from operator import attrgetter

    from kg.store import parse_file_ox

    lines: list[str] = []
    for p in paths:
        # map + attrgetter: no Python code of ours runs per triple (10-15 % of this step)
        data = ox.serialize(map(attrgetter("triple"), parse_file_ox(p)), format=ox.RdfFormat.N_TRIPLES)
        if data:
            more = data.decode("utf-8").split("\n")
            more.pop()  # the text ends with a line end
            lines += more
    return lines


def _nt(term) -> str:
    return str(term)  # pyoxigraph terms print as N-Triples


_T_TYPE, _T_ARTICLE, _T_DERIVED = _nt(_TYPE), _nt(_ARTICLE), _nt(_DERIVED)
_T_MENTIONED, _T_HAS_METRIC = _nt(_MENTIONED), _nt(_HAS_METRIC)
_T_FACTS = frozenset(_nt(p) for p in FACT_PREDICATES)
_T_FACTS_GRAPH, _T_ENTITIES_GRAPH = _nt(FACTS_GRAPH), _nt(ENTITIES_GRAPH)


def _articles(lines: list[str]) -> set[str]:
    """The IRIs (``<...>``) typed ``pkg:Article`` in canonical N-Triples lines."""
    type_article = f" {_T_TYPE} {_T_ARTICLE} ."
    return {ln.split(" ", 1)[0] for ln in lines if ln.endswith(type_article)}


def _partition_lines(lines: list[str], articles: set[str], watch: set[str], seen: set[str]) -> bytes:
    """:func:`partition` on canonical N-Triples lines: the N-Quads text that puts each triple in its
    graph (``articles``: from :func:`_articles`). Fact triples (``"<s> <p> <o>"``) that are in
    ``watch`` go into ``seen``. Plain string work, one dict lookup for most lines: this is the
    Python part of a bulk load."""
    derived = {}
    for ln in lines:
        if _T_DERIVED in ln:
            s, p, rest = ln.split(" ", 2)
            if p == _T_DERIVED and rest[:-2] in articles:
                derived[s] = rest[:-2]
    graph_of = {**derived, **{a: a for a in articles}}
    out = []
    entities = _T_ENTITIES_GRAPH
    for line in lines:
        s, p, rest = line.split(" ", 2)
        g = graph_of.get(s)
        if g is None:
            if p in _T_FACTS:
                g = _T_FACTS_GRAPH
                if watch and line[:-2] in watch:
                    seen.add(line[:-2])
            elif p == _T_MENTIONED:
                g = rest[:-2] if rest[:-2] in articles else entities
            elif p == _T_HAS_METRIC:
                g = derived.get(rest[:-2], entities)
            else:
                g = entities
        out.append(f"{line[:-1]}{g} .\n")
    return "".join(out).encode("utf-8")


def _bulk_add(store, lines: list[str]) -> LoadReport:
    """:func:`add_triples` for files, through the store's bulk loader: the same graphs, the same
    replacement of reloaded articles and the same fact bookkeeping."""
    report = LoadReport()
    articles = _articles(lines)
    dropped: set[tuple] = set()
    for a in articles:
        g = ox.NamedNode(a[1:-1])
        if store.contains_named_graph(g):
            report.replaced += 1
            dropped |= _asserted_keys(store, g)
            store.remove_graph(g)
    watch = {f"{_nt(s)} {_nt(p)} {_nt(o)}": (s, p, o) for s, p, o in dropped}
    seen: set[str] = set()
    nquads = _partition_lines(lines, articles, set(watch), seen)
    report.articles = len(articles)
    # lenient: the text is our own serializer's output of what pyoxigraph just parsed and checked
    store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
    report.triples = len(lines)
    for key in set(watch) - seen:
        s, p, o = watch[key]
        quad = ox.Quad(s, p, o, FACTS_GRAPH)
        if quad in store and not _supported(store, s, p, o):
            store.remove(quad)
            report.facts_removed += 1
    return report


def load_files(paths: Iterable[str | Path], store_dir) -> LoadReport:
    """``kg load FILE... --store DIR``: parse each graph file (any RDF syntax) and add it to the store.

    pyoxigraph parses every file first (a bad file leaves the store untouched) and writes it back as
    canonical N-Triples; the triples are placed in their graphs on those lines as text (no Python
    object per term) and the resulting N-Quads go through the store's bulk loader
    (``Store.bulk_load``). Same graphs and merge rules as :func:`add_triples` (``tests/store``
    compares the two); ``benchmarks/bench_load.py`` measures it against ``bulk_load``.
    """
    lines = _canonical_ntriples([Path(p) for p in paths])
    return _write(store_dir, lambda store: _bulk_add(store, lines))
