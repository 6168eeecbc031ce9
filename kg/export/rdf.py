"""RDF syntaxes: Turtle, N-Triples (one graph) and N-Quads, TriG (one named graph per article).

rdflib writes the text; two things are added on top so that every strict parser accepts it:
control characters inside literals are written as ``\\uXXXX`` escapes (rdflib writes them raw, and
raw U+0000 cuts strings short in C parsers such as raptor), and the file is written atomically.
"""
from __future__ import annotations

import re
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import PROV, RDF

from kg.rdf.namespace import PKG, bind_prefixes
from kg.util import atomic_write

# C0 controls except \t \n \r (rdflib escapes \n \r itself; \t is fine raw), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_controls(text: str) -> str:
    """Write control characters as UCHAR escapes. Safe anywhere in N-Triples/Turtle output: IRIs
    never hold them (they are percent-encoded by :func:`kg.resolve.iri.mint`), and a raw control
    character is never part of an existing escape sequence."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


def _with_prefixes(graph: Graph) -> Graph:
    out = Graph()
    bind_prefixes(out)
    out += graph
    return out


def article_graphs(graph: Graph) -> tuple[Graph, dict[URIRef, Graph]]:
    """Split ``graph`` into a default graph and one graph per article (named by the article IRI).

    An article's graph holds what it vouches for: the article node, its statement nodes and metric
    nodes (``prov:wasDerivedFrom`` it), the direct triples its asserted statements support, the
    ``pkg:hasMetric`` links to its metrics and the ``pkg:mentionedIn`` links to it. Entity
    descriptions (type, labels, sameAs) and anything unattributed stay in the default graph. A
    direct triple stated by several articles appears in each of their graphs, so the union of all
    graphs is exactly ``graph``.
    """
    articles = set(graph.subjects(RDF.type, PKG.Article))
    named: dict[URIRef, Graph] = {a: Graph(identifier=a) for a in sorted(articles)}
    placed: set = set()

    def put(article, triple):
        named[article].add(triple)
        placed.add(triple)

    for a in articles:
        for t in graph.triples((a, None, None)):
            put(a, t)
        for t in graph.triples((None, PKG.mentionedIn, a)):
            put(a, t)
    for node, a in graph.subject_objects(PROV.wasDerivedFrom):
        if a not in named:
            continue
        for t in graph.triples((node, None, None)):
            put(a, t)
        for t in graph.triples((None, PKG.hasMetric, node)):
            put(a, t)
        if (node, RDF.type, RDF.Statement) in graph and str(graph.value(node, PKG.modality) or "asserted") == "asserted":
            direct = (graph.value(node, RDF.subject), graph.value(node, RDF.predicate), graph.value(node, RDF.object))
            if None not in direct and direct in graph:
                put(a, direct)
    default = Graph()
    for t in graph:
        if t not in placed:
            default.add(t)
    return default, named


def to_dataset(graph: Graph) -> Dataset:
    ds = Dataset()
    bind_prefixes(ds)
    default, named = article_graphs(graph)
    for t in default:
        ds.default_graph.add(t)
    for a, g in named.items():
        target = ds.graph(a)
        for t in g:
            target.add(t)
    return ds


def _serialize(obj, fmt: str) -> str:
    return escape_controls(obj.serialize(format=fmt))


def _sorted_lines(text: str) -> str:
    # split on "\n" only: str.splitlines() also breaks at U+2028, U+0085, ... inside literals
    return "".join(line + "\n" for line in sorted(set(text.split("\n"))) if line.strip())


def _write(text: str, path: Path) -> list[Path]:
    with atomic_write(path) as fh:
        fh.write(text)
    return [Path(path)]


def write_turtle(graph: Graph, path: Path) -> list[Path]:
    return _write(_serialize(_with_prefixes(graph), "turtle"), path)


def write_ntriples(graph: Graph, path: Path) -> list[Path]:
    # sorted lines: deterministic output that diffs well between builds
    return _write(_sorted_lines(_serialize(graph, "nt")), path)


def write_nquads(graph: Graph, path: Path) -> list[Path]:
    return _write(_sorted_lines(_serialize(to_dataset(graph), "nquads")), path)


def write_trig(graph: Graph, path: Path) -> list[Path]:
    return _write(_serialize(to_dataset(graph), "trig"), path)
