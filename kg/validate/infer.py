"""Materialise OWL RL consequences for tools that do not reason (``kg validate --infer``).

owlrl computes the OWL 2 RL closure of the graph plus the ontology: symmetric predicates in both
directions (``partnerOf``, ``competesWith``), superclasses (a ``pkg:Platform`` is also a
``pkg:Organization``, ``schema:Organization``, ``prov:Agent``), super-properties
(``pkg:worksFor`` implies ``schema:worksFor``). Only consequences about the graph's own nodes are
kept: the ontology's axioms and the closure's bookkeeping (reflexive ``owl:sameAs``, facts about
datatypes and vocabulary terms) are dropped.
"""
from __future__ import annotations

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL

from kg.rdf.namespace import bind_prefixes


def materialize(graph: Graph, *, profile: str = "owlrl") -> Graph:
    """A new graph: ``graph`` plus its OWL RL (``profile="owlrl"``) or RDFS (``"rdfs"``) consequences."""
    import owlrl

    from kg.validate import load_ontology

    semantics = {"owlrl": owlrl.OWLRL_Semantics, "rdfs": owlrl.RDFS_Semantics}[profile]
    work = Graph()
    for t in graph:
        # owl:sameAs links to Wikidata are references, not identities to merge: with them the
        # closure would copy every fact onto the Wikidata IRI
        if t[1] != OWL.sameAs:
            work.add(t)
    for t in load_ontology():
        work.add(t)
    owlrl.DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)

    nodes = {s for s in graph.subjects() if isinstance(s, URIRef)}
    out = Graph()
    bind_prefixes(out)
    for t in graph:
        out.add(t)
    for s, p, o in work:
        if s not in nodes or isinstance(o, BNode) or o == OWL.Thing or (p == OWL.sameAs and s == o):
            continue
        out.add((s, p, o))
    return out
