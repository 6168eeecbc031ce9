"""Graph files for network tools: GraphML (yEd, Cytoscape, networkx) and GEXF (Gephi).

Both are written from :func:`kg.export.networkx.to_networkx` (scalar attributes only). XML 1.0
cannot carry most control characters at all, so those are replaced by U+FFFD in these two formats
(:func:`xml_safe`); the RDF exports keep them exactly.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

from rdflib import Graph

from kg.export.networkx import to_networkx
from kg.util import atomic_write

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    """``value`` with characters XML 1.0 forbids replaced by U+FFFD (non-strings unchanged)."""
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def network(graph: Graph):
    """The networkx graph that GraphML/GEXF files hold: ``to_networkx`` with XML-safe strings."""
    import networkx as nx

    g = to_networkx(graph)
    out = nx.MultiDiGraph()
    for n, attrs in g.nodes(data=True):
        out.add_node(xml_safe(n), **{k: xml_safe(v) for k, v in attrs.items()})
    for s, o, k, attrs in g.edges(keys=True, data=True):
        out.add_edge(xml_safe(s), xml_safe(o), key=k, **{a: xml_safe(v) for a, v in attrs.items()})
    return out


def to_graphml(graph: Graph) -> bytes:
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(network(graph), buf, encoding="utf-8", prettyprint=True)
    # ElementTree writes a carriage return in element text raw, and XML parsers normalise a raw CR
    # to LF; as a character reference it survives. Raw CRs appear nowhere else in the output.
    return buf.getvalue().replace(b"\r", b"&#13;")


def to_gexf(graph: Graph) -> bytes:
    import networkx as nx

    buf = io.BytesIO()
    nx.write_gexf(network(graph), buf, encoding="utf-8", prettyprint=True, version="1.2draft")
    return buf.getvalue()


def _write(data: bytes, path: Path) -> list[Path]:
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return [Path(path)]


def write_graphml(graph: Graph, path: Path) -> list[Path]:
    return _write(to_graphml(graph), path)


def write_gexf(graph: Graph, path: Path) -> list[Path]:
    return _write(to_gexf(graph), path)
