"""Exports: one writer per format, all atomic (temp file in the same directory, then rename).

>>> from kg.export import export_graph
>>> export_graph(graph, "gexf", "out/graph.gexf")        # doctest: +SKIP

``FORMATS`` maps a format name to ``(module:function, default file name, description)``; a writer
takes ``(graph, path)`` and returns the paths it wrote. ``csv`` writes a directory.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from kg.errors import OutputError

FORMATS: dict[str, tuple[str, str, str]] = {
    "ttl": ("kg.export.rdf:write_turtle", "graph.ttl", "Turtle (one graph)"),
    "nt": ("kg.export.rdf:write_ntriples", "graph.nt", "N-Triples, sorted lines (one graph)"),
    "nq": ("kg.export.rdf:write_nquads", "graph.nq", "N-Quads, one named graph per article"),
    "trig": ("kg.export.rdf:write_trig", "graph.trig", "TriG, one named graph per article"),
    "jsonld": ("kg.export.jsonld:write_jsonld", "graph.jsonld", "JSON-LD compacted with kg/ontology/context.jsonld"),
    "graphml": ("kg.export.graphfiles:write_graphml", "graph.graphml", "GraphML: entities and relations"),
    "gexf": ("kg.export.graphfiles:write_gexf", "graph.gexf", "GEXF for Gephi: entities and relations"),
    "csv": ("kg.export.neo4j:write_neo4j_csv", "neo4j", "Neo4j bulk-import CSV (a directory)"),
}


def writer(fmt: str):
    if fmt not in FORMATS:
        raise OutputError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    module, attr = FORMATS[fmt][0].split(":")
    return getattr(importlib.import_module(module), attr)


def export_graph(graph, fmt: str, path: str | Path) -> list[Path]:
    """Write ``graph`` (an rdflib Graph) as ``fmt`` to ``path``; return the files written.

    A failure leaves any previous file at ``path`` as it was.
    """
    path = Path(path)
    if fmt != "csv" and path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name such as {path / FORMATS[fmt][1]}")
    if fmt == "csv" and path.exists() and not path.is_dir():
        raise OutputError(f"{path}: the csv export writes a directory (nodes.csv, relationships.csv); give a directory")
    try:
        return writer(fmt)(graph, path)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror or e})") from None


def guess_format(path: str | Path) -> str | None:
    """Export format from a file extension (``.ttl`` -> ``ttl``, ``.json`` -> ``jsonld``)."""
    ext = Path(path).suffix.lower().lstrip(".")
    return {"json": "jsonld", "turtle": "ttl", "nquads": "nq", "ntriples": "nt"}.get(ext, ext if ext in FORMATS else None)


def read_graph(path: str | Path):
    """Load a graph file for the export/validate/stats commands.

    Uses :func:`kg.load_graph` (the store layer) when it is available, else rdflib with the format
    guessed from the extension.
    """
    try:
        from kg.store import load_graph
    except ImportError:
        load_graph = None
    if load_graph is not None:
        return load_graph(path)
    from rdflib import Dataset, Graph
    from rdflib.util import guess_format as rdf_guess

    from kg.errors import GraphFileError

    path = Path(path)
    if not path.exists():
        raise GraphFileError(f"{path}: no such graph file; build one with `kg build data/ -o out/`")
    fmt = rdf_guess(str(path)) or "turtle"
    try:
        if fmt in ("nquads", "trig"):
            ds = Dataset()
            ds.parse(path, format=fmt)
            g = Graph()
            for s, p, o, _ in ds.quads((None, None, None, None)):
                g.add((s, p, o))
            return g
        g = Graph()
        g.parse(path, format=fmt)
        return g
    except Exception as e:  # rdflib raises many parser-specific types
        raise GraphFileError(f"{path}: not a readable {fmt} graph ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
