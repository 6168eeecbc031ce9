"""platform-kg: business news about platform ecosystems -> an RDF knowledge graph.

The public API (heavy modules are imported on first use, so ``import kg`` stays cheap)::

    import kg
    result = kg.build_graph(["data/"])          # ingest -> extract -> resolve -> rdf
    g = kg.load_graph("out/graph.ttl")           # any RDF syntax, or a store directory
    rows = kg.query(g, "SELECT ...")             # SPARQL, parameters bound as values
    nxg = kg.to_networkx(g)                      # entities and relations as a networkx graph
"""
from __future__ import annotations

from kg.errors import KGError

__version__ = "0.1.0"
__all__ = ["KGError", "build_graph", "load_graph", "query", "to_networkx", "__version__"]

_LAZY = {
    "build_graph": ("kg.pipeline", "build_graph"),
    "load_graph": ("kg.store", "load_graph"),
    "query": ("kg.query", "query"),
    "to_networkx": ("kg.export.networkx", "to_networkx"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
