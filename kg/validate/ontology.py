"""The ontology's own consistency checks, complementing the SHACL shapes.

1. Every term of our namespace that the graph uses as a predicate, a class (``rdf:type``) or a
   statement's ``rdf:predicate`` is declared in ``platform.ttl``: a misspelt ``pkg:workFor`` would
   otherwise pass SHACL silently (no shape targets it).
2. ``rdfs:domain`` / ``rdfs:range`` classes of our properties are respected, following
   ``rdfs:subClassOf`` and ``owl:unionOf``. Relations with a per-predicate shape in ``shapes.ttl``
   (worksFor, partnerOf, ...) are left to the shape so that one fault is reported once; datatype
   ranges are left to the shapes' ``sh:datatype``.
"""
from __future__ import annotations

from collections import defaultdict

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.rdf.namespace import PKG, PREDICATES

_PKG = str(PKG._NS)
_CLASS_TYPES = (OWL.Class, RDFS.Class)
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)


def declared_terms(ontology: Graph) -> tuple[set[URIRef], set[URIRef]]:
    classes = {s for t in _CLASS_TYPES for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef)}
    props = {s for t in _PROPERTY_TYPES for s in ontology.subjects(RDF.type, t) if isinstance(s, URIRef)}
    return classes, props


def _superclasses(ontology: Graph) -> dict:
    up = defaultdict(set)
    for c, sup in ontology.subject_objects(RDFS.subClassOf):
        up[c].add(sup)

    def closure(c):
        seen, todo = {c}, [c]
        while todo:
            for s in up[todo.pop()]:
                if s not in seen:
                    seen.add(s)
                    todo.append(s)
        return seen

    return {c: closure(c) for c in set(up) | {o for v in up.values() for o in v}}


def _class_options(ontology: Graph, cls) -> set:
    if isinstance(cls, BNode):
        members = ontology.value(cls, OWL.unionOf)
        if members is not None:
            return set(Collection(ontology, members))
    return {cls}


def check_ontology(graph: Graph, ontology: Graph) -> list:
    from kg.validate import Violation, compact

    classes, props = declared_terms(ontology)
    out: list[Violation] = []
    group = "ontology: undeclared term"
    for p in sorted({p for p in graph.predicates() if str(p).startswith(_PKG)} - props):
        n = sum(1 for _ in graph.triples((None, p, None)))
        s = next(graph.subjects(p, None))
        out.append(Violation(group, compact(s), compact(p), "",
                             f"predicate {compact(p)} is not declared in the ontology ({n} triple(s)); "
                             f"use a term of platform.ttl or add it there"))
    for node, c in sorted(graph.subject_objects(RDF.type)):
        if str(c).startswith(_PKG) and c not in classes:
            out.append(Violation(group, compact(node), "rdf:type", compact(c),
                                 f"class {compact(c)} is not declared in the ontology"))
    for st, p in sorted(graph.subject_objects(RDF.predicate)):
        if str(p).startswith(_PKG) and p not in props:
            out.append(Violation(group, compact(st), "rdf:predicate", compact(p),
                                 f"statement predicate {compact(p)} is not declared in the ontology"))

    supers = _superclasses(ontology)
    types_cache: dict = {}

    def types_of(node) -> set:
        if node not in types_cache:
            ts = set()
            for t in graph.objects(node, RDF.type):
                ts |= supers.get(t, {t})
            types_cache[node] = ts
        return types_cache[node]

    shaped = {PKG[p] for p in PREDICATES}
    group = "ontology: domain and range"
    for prop in sorted(props):
        if not str(prop).startswith(_PKG) or prop in shaped:
            continue
        domains = [d for d in ontology.objects(prop, RDFS.domain)]
        ranges = [r for r in ontology.objects(prop, RDFS.range) if not str(r).startswith(str(XSD))]
        if not domains and not ranges:
            continue
        for s, o in graph.subject_objects(prop):
            for d in domains:
                if not (types_of(s) & _class_options(ontology, d)):
                    out.append(Violation(group, compact(s), compact(prop), compact(o),
                                         f"the subject of {compact(prop)} must be a {compact(d)} (rdfs:domain)"))
            for r in ranges:
                if not isinstance(o, (URIRef, BNode)) or not (types_of(o) & _class_options(ontology, r)):
                    out.append(Violation(group, compact(s), compact(prop), compact(o),
                                         f"the object of {compact(prop)} must be a {compact(r)} (rdfs:range)"))
    return out
