"""``kg push``: write a graph into a running SPARQL 1.1 store over the Graph Store HTTP Protocol.

Each article's named graph is sent with ``PUT ?graph=<article IRI>`` (replacing any earlier
version); the shared facts and entities graphs are merged with ``POST``, which never duplicates
triples in an RDF store. The endpoint URL is the store's Graph Store service:

* Oxigraph (``oxigraph serve``): ``http://HOST:7878/store``
* Apache Jena Fuseki: ``http://HOST:3030/DATASET/data``
* GraphDB: ``http://HOST:7200/repositories/REPO/rdf-graphs/service``
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.errors import EndpointError


@dataclass
class PushReport:
    graphs: int = 0
    triples: int = 0

    def __str__(self) -> str:
        return f"{self.graphs} named graphs, {self.triples} triples"


def _ntriples(triples) -> bytes:
    from kg.query.formats import nt
    from kg.store.terms import from_ox

    return "".join(f"{nt(from_ox(t.subject))} {nt(from_ox(t.predicate))} {nt(from_ox(t.object))} .\n"
                   for t in triples).encode("utf-8")


def push(graph_path, endpoint: str, timeout: float = 60.0) -> PushReport:
    import requests

    from kg.store import is_store_dir, open_source, parse_file_ox
    from kg.store.load import ENTITIES_GRAPH, FACTS_GRAPH, partition

    if is_store_dir(graph_path):
        triples = [(q.subject, q.predicate, q.object) for q in open_source(graph_path)]
    else:
        triples = [(q.subject, q.predicate, q.object) for q in parse_file_ox(graph_path)]
    parts = partition(triples)
    report = PushReport()
    session = requests.Session()
    session.trust_env = False  # never route a push through a proxy from the environment
    for g, ts in sorted(parts.items(), key=lambda kv: kv[0] in (FACTS_GRAPH, ENTITIES_GRAPH)):
        method = "POST" if g in (FACTS_GRAPH, ENTITIES_GRAPH) else "PUT"
        try:
            r = session.request(method, endpoint, params={"graph": g.value}, data=_ntriples(ts),
                                headers={"Content-Type": "application/n-triples"}, timeout=timeout)
        except requests.ConnectionError:
            raise EndpointError(f"cannot reach {endpoint}: connection refused or host unreachable "
                                "(is the store running?)") from None
        except requests.Timeout:
            raise EndpointError(f"{endpoint} did not answer within {timeout:g} s") from None
        if r.status_code >= 300:
            raise EndpointError(f"{endpoint} refused {method} of graph <{g.value}>: HTTP {r.status_code} "
                                f"{r.text.strip()[:200]}")
        report.graphs += 1
        report.triples += len(ts)
    return report
