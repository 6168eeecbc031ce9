"""The vocabularies of the graph.

The ontology's own terms (``PKG``, ``CLASS_COARSE``, ``ENTITY_CLASSES``, ``PREDICATES``, ``SYMMETRIC``,
``SIGNATURE``) are generated from ``kg/ontology/platform.ttl`` into the bottom-layer module
:mod:`kg.vocab` (``python -m kg.rdf.vocab_gen``) and re-exported here for the callers that import
them from this module. This module adds the other vocabularies, the entity base IRI and prefixes.
"""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.vocab import (  # noqa: F401  (re-exported)
    CLASS_COARSE, CLASS_PARENT, ENTITY_CLASSES, ONTOLOGY_IRI, PKG, PREDICATES, SIGNATURE, SIGNATURE_CLASSES, SYMMETRIC,
)

ENTITY_BASE = "https://w3id.org/platform-kg/id/"

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
WD = Namespace("http://www.wikidata.org/entity/")
ENT = Namespace(ENTITY_BASE)


METRIC_TYPES = (
    "valuation", "revenue", "netProfit", "gmv", "users", "marketShare",
    "investment", "fine", "sales", "merchants", "growth",
)
MODALITIES = ("asserted", "planned", "negated", "reported", "forecast")

# One prefix per IRI folder (kg.resolve.iri mints ``id/<folder>/<key>``), so that every IRI has a prefixed
# name that can be pasted into a query: ``kgorg:jd-com``. (``ent:org/jd-com`` is not SPARQL: a prefixed
# name's local part cannot hold '/'.) The IRIs themselves do not change.
IRI_FOLDERS = ("org", "gov", "person", "place", "product", "law", "article", "statement", "metric", "graph")
ENTITY_PREFIXES = {f"kg{folder}": Namespace(f"{ENTITY_BASE}{folder}/") for folder in IRI_FOLDERS}

PREFIXES = {
    "pkg": PKG._NS,
    "ent": ENT,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "org": ORG,
    "wd": WD,
    **ENTITY_PREFIXES,
}


def bind_prefixes(graph) -> None:
    """Bind the project's prefixes on an rdflib graph (serialisations stay readable).

    The per-folder entity prefixes are for queries and displays only: graph files keep one ``ent:``.
    """
    for prefix, ns in PREFIXES.items():
        if prefix not in ENTITY_PREFIXES:
            graph.bind(prefix, ns, override=True, replace=True)
