"""Graph files for network tools: GraphML (yEd, Cytoscape, networkx) and GEXF (Gephi).

Both are written from :func:`kg.export.networkx.to_networkx` (scalar attributes only), dressed the
way the tools read them: nodes carry the viewer's class colour and a size growing with the number of
articles that mention them (GEXF: ``viz:color`` / ``viz:size``; GraphML: ``r``, ``g``, ``b``, ``color``,
``size``, the attributes Gephi and Cytoscape map), edges carry the predicate as ``label`` and unique
ids. In GEXF a symmetric predicate (``partnerOf``, ``competesWith``) is a ``mutual`` edge (both ways):
GEXF's ``undirected`` would make a mixed graph, which networkx's readers refuse. The multigraph key
networkx would write as a ``networkx_key`` attribute is left out.

XML 1.0 cannot carry most control characters at all, so those are replaced by U+FFFD in these two
formats (:func:`xml_safe`); the RDF exports keep them exactly.
"""
from __future__ import annotations

import io
import math
import re
from pathlib import Path

from rdflib import Graph

from kg.export.networkx import to_networkx
from kg.util import atomic_write

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value):
    """``value`` with characters XML 1.0 forbids replaced by U+FFFD (non-strings unchanged)."""
    return _NOT_XML.sub("\ufffd", value) if isinstance(value, str) else value


def node_size(articles: int) -> float:
    """Size for network tools: 10 for a node seen once, growing with the log of its articles."""
    return round(10.0 + 6.0 * math.log2(max(articles, 1)), 2)


def class_rgb(cls: str) -> tuple[str, int, int, int]:
    """The viewer's colour of an entity class as ``(#hex, r, g, b)``."""
    from kg.viz.data import CLASS_STYLE

    colour = CLASS_STYLE.get(cls, ("#bab0ac",))[0]
    return colour, int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def network(graph: Graph, gexf: bool = False):
    """The networkx graph that GraphML/GEXF files hold: ``to_networkx`` with XML-safe strings, colours,
    sizes, edge labels and unique edge ids (``gexf``: ``viz`` data and edge types as GEXF wants them)."""
    import networkx as nx

    g = to_networkx(graph)
    out = nx.MultiDiGraph()
    for n, attrs in g.nodes(data=True):
        a = {k: xml_safe(v) for k, v in attrs.items()}
        colour, r, gr, b = class_rgb(attrs["class"])
        size = node_size(attrs["articles"])
        if gexf:
            a["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}, "size": size}
        else:
            a.update(r=r, g=gr, b=b, color=colour, size=size)
        out.add_node(xml_safe(n), **a)
    for i, (s, o, k, attrs) in enumerate(g.edges(keys=True, data=True)):
        a = {key: xml_safe(v) for key, v in attrs.items()}
        a["label"] = k
        if gexf:
            a["type"] = "mutual" if attrs["symmetric"] else "directed"
        out.add_edge(xml_safe(s), xml_safe(o), key=f"e{i}", **a)
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
    nx.write_gexf(network(graph, gexf=True), buf, encoding="utf-8", prettyprint=True, version="1.2draft")
    data = buf.getvalue()
    # networkx writes a multigraph's edge keys as an extra attribute; the edge ids already are unique
    m = re.search(rb'\s*<attribute id="(\d+)" title="networkx_key" type="string" />', data)
    if m:
        data = data.replace(m.group(0), b"")
        data = re.sub(rb'\s*<attvalue for="' + m.group(1) + rb'" value="[^"]*" />', b"", data)
    return data


def _write(data: bytes, path: Path) -> list[Path]:
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return [Path(path)]


def write_graphml(graph: Graph, path: Path) -> list[Path]:
    return _write(to_graphml(graph), path)


def write_gexf(graph: Graph, path: Path) -> list[Path]:
    return _write(to_gexf(graph), path)
