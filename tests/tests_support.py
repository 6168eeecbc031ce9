"""Helpers shared by tests (not fixtures)."""
from __future__ import annotations

import contextlib
import threading

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SKOS

from kg.rdf.mapping import decimal_literal
from kg.rdf.namespace import PKG
from kg.resolve.iri import entity_iri, metric_iri

COARSE_CLASS = {"ORG": "Organization", "GOV": "GovernmentBody", "PERSON": "Person", "PLACE": "Place",
                "PRODUCT": "Product", "LAW": "Law"}


def graph_from_gold(gold: dict) -> Graph:
    """The graph a perfect extractor would build for a gold file."""
    g = Graph()
    iri = {}
    for e in gold["entities"]:
        node = entity_iri(e["type"], e["name"])
        iri[e["name"]] = node
        g.add((node, RDF.type, PKG[COARSE_CLASS[e["type"]]]))
        g.add((node, RDFS.label, Literal(e["name"])))
        for a in e.get("aliases", []):
            g.add((node, SKOS.altLabel, Literal(a)))
    for r in gold["relations"]:
        g.add((iri[r["s"]], PKG[r["p"]], iri[r["o"]]))
    for i, m in enumerate(gold["metrics"]):
        node = metric_iri(i)
        g.add((iri[m["entity"]], PKG.hasMetric, node))
        g.add((node, RDF.type, PKG.Metric))
        g.add((node, PKG.metricType, Literal(m["metric"])))
        g.add((node, PKG.value, decimal_literal(m["value"])))
    return g


@contextlib.contextmanager
def serving(graph_path, **options):
    """`kg serve` on 127.0.0.1 (a free port) in a thread; yields the base URL, always stops it."""
    from kg.server import make_server

    server = make_server(graph_path, port=0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        server.pool.close()
