"""Independent readers for every export format, each returning something comparable.

RDF syntaxes are read by pyoxigraph (strict, Rust) and, for Turtle/N-Triples, by raptor's
``rapper`` (C); graph files by networkx; CSV by the csv module. Terms read by pyoxigraph are turned
into rdflib terms so that the round-trip can be checked with ``rdflib.compare.isomorphic``.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import XSD

RAPPER = shutil.which("rapper")

OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def rdflib_term(t):
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == str(XSD.string):
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    raise TypeError(f"unexpected term {t!r}")


def read_oxigraph(data: bytes, fmt: str) -> tuple[Graph, dict]:
    """Parse with pyoxigraph; return the union graph and ``{graph name: triple count}``."""
    g = Graph()
    names: dict[str, int] = {}
    for q in ox.parse(data, format=OX_FORMATS[fmt]):
        g.add((rdflib_term(q.subject), rdflib_term(q.predicate), rdflib_term(q.object)))
        gn = q.graph_name
        key = "" if isinstance(gn, ox.DefaultGraph) else gn.value
        names[key] = names.get(key, 0) + 1
    return g, names


def read_rapper(path: Path, syntax: str) -> Graph:
    """Parse with raptor (``rapper -i turtle|ntriples``); its N-Triples output is read back with pyoxigraph."""
    proc = subprocess.run([RAPPER, "-q", "-i", syntax, "-o", "ntriples", str(path), "http://example.invalid/"],
                          capture_output=True, timeout=60)
    assert proc.returncode == 0, f"rapper rejected {path}: {proc.stderr.decode(errors='replace')}"
    assert not proc.stderr.strip(), f"rapper warned on {path}: {proc.stderr.decode(errors='replace')}"
    g, _ = read_oxigraph(proc.stdout, "nt")
    return g


def assert_isomorphic(expected: Graph, actual: Graph, what: str) -> None:
    if isomorphic(expected, actual):
        return
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = [f"{what}: round-trip is not isomorphic"]
    lines += [f"  missing: {t!r}" for t in sorted(only_expected)[:10]]
    lines += [f"  extra:   {t!r}" for t in sorted(only_actual)[:10]]
    raise AssertionError("\n".join(lines))


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, strict=True))


def nx_edges(g) -> dict:
    """(source, target, predicate) -> attributes, without reader-added ids."""
    out = {}
    for s, t, data in g.edges(data=True):
        d = {k: v for k, v in data.items() if k not in ("id", "networkx_key", "key", "type")}
        out[(s, t, d["predicate"])] = d
    return out


def nx_nodes(g) -> dict:
    return {n: dict(d) for n, d in g.nodes(data=True)}


def has_nul(graph: Graph) -> bool:
    return any("\x00" in str(t) for triple in graph for t in triple if isinstance(t, Literal))


def roundtrip_all(graph: Graph, directory: Path, *, rapper: bool = True) -> list[str]:
    """Export ``graph`` in every format into ``directory`` and re-read each with its independent
    reader; assert each round-trip is exact. Returns the readers that ran."""
    import networkx as nx

    from kg.export import FORMATS, export_graph
    from kg.export.graphfiles import network
    from kg.export.neo4j import NODE_HEADER, REL_HEADER, node_rows, relationship_rows
    from kg.rdf.namespace import PKG
    from rdflib.namespace import RDF

    ran = []
    paths = {fmt: directory / FORMATS[fmt][1] for fmt in FORMATS}
    for fmt, path in paths.items():
        export_graph(graph, fmt, path)
    articles = {str(a) for a in graph.subjects(RDF.type, PKG.Article)}
    for fmt in ("ttl", "nt", "nq", "trig", "jsonld"):
        got, names = read_oxigraph(paths[fmt].read_bytes(), fmt)
        assert_isomorphic(graph, got, f"{fmt} via pyoxigraph")
        if fmt in ("nq", "trig"):
            assert set(names) - {""} == articles, f"{fmt}: named graphs {sorted(names)} != articles {sorted(articles)}"
        ran.append(f"pyoxigraph:{fmt}")
    if rapper and RAPPER and not has_nul(graph):
        # raptor keeps strings as C strings: U+0000 ends them (a raptor limitation, checked above by pyoxigraph)
        for fmt, syntax in (("ttl", "turtle"), ("nt", "ntriples")):
            assert_isomorphic(graph, read_rapper(paths[fmt], syntax), f"{fmt} via rapper")
            ran.append(f"rapper:{fmt}")

    expected = network(graph)
    exp_nodes = nx_nodes(expected)
    exp_edges = nx_edges(expected)
    gml = nx.read_graphml(paths["graphml"], force_multigraph=True)
    assert nx_nodes(gml) == exp_nodes, "graphml nodes differ"
    assert nx_edges(gml) == exp_edges, "graphml edges differ"
    ran.append("networkx:graphml")
    gexf = nx.read_gexf(paths["gexf"])
    expected = network(graph, gexf=True)  # viz data and edge types instead of colour attributes
    assert nx_nodes(gexf) == nx_nodes(expected), "gexf nodes differ"
    exp_gexf = nx_edges(expected)
    # a symmetric predicate is a GEXF "mutual" edge, which networkx reads as both directions
    exp_gexf.update({(t, s, p): d for (s, t, p), d in exp_gexf.items() if d["symmetric"]})
    assert nx_edges(gexf) == exp_gexf, "gexf edges differ"
    ran.append("networkx:gexf")

    nodes = read_csv(paths["csv"] / "nodes.csv")
    rels = read_csv(paths["csv"] / "relationships.csv")
    assert nodes[0] == NODE_HEADER and rels[0] == REL_HEADER
    assert ":ID" in nodes[0][0] and ":LABEL" in nodes[0]
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert nodes[1:] == [[str(v) for v in row] for row in node_rows(graph)]
    assert rels[1:] == [[str(v) for v in row] for row in relationship_rows(graph)]
    ids = {row[0] for row in nodes[1:]}
    assert len(ids) == len(nodes) - 1, "duplicate :ID in nodes.csv"
    assert all(r[0] in ids and r[1] in ids for r in rels[1:]), "relationship to an unknown :ID"
    ran.append("csv")
    return ran
