"""The vocabularies of the graph.

``PKG`` mirrors ``kg/ontology/platform.ttl`` term by term (``_fail = True``: a misspelt term is an
error, not a new IRI); ``tests/rdf/test_namespace.py`` checks that the two stay in step.
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/platform-kg/ontology"
ENTITY_BASE = "https://w3id.org/platform-kg/id/"

SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
WD = Namespace("http://www.wikidata.org/entity/")
ENT = Namespace(ENTITY_BASE)


class PKG(DefinedNamespace):
    """platform-kg ontology terms."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI + "#")

    # classes
    Organization: URIRef
    Company: URIRef
    Platform: URIRef
    Association: URIRef
    MediaOutlet: URIRef
    GovernmentBody: URIRef
    Person: URIRef
    Place: URIRef
    Country: URIRef
    Region: URIRef
    City: URIRef
    Product: URIRef
    Law: URIRef
    Metric: URIRef
    Article: URIRef
    # relations
    worksFor: URIRef
    partnerOf: URIRef
    competesWith: URIRef
    acquiredStakeIn: URIRef
    subsidiaryOf: URIRef
    regulates: URIRef
    launched: URIRef
    operatesIn: URIRef
    issued: URIRef
    appliesTo: URIRef
    # bookkeeping, qualifiers, provenance, figures
    mentionedIn: URIRef
    hasMetric: URIRef
    evidence: URIRef
    evidenceStart: URIRef
    evidenceEnd: URIRef
    confidence: URIRef
    extractedBy: URIRef
    modality: URIRef
    role: URIRef
    stakePercent: URIRef
    amount: URIRef
    currency: URIRef
    date: URIRef
    metricType: URIRef
    value: URIRef
    unit: URIRef


# Entity classes with the coarse type the scorer uses.
CLASS_COARSE: dict[str, str] = {
    "Organization": "ORG",
    "Company": "ORG",
    "Platform": "ORG",
    "Association": "ORG",
    "MediaOutlet": "ORG",
    "GovernmentBody": "GOV",
    "Person": "PERSON",
    "Place": "PLACE",
    "Country": "PLACE",
    "Region": "PLACE",
    "City": "PLACE",
    "Product": "PRODUCT",
    "Law": "LAW",
}
ENTITY_CLASSES = tuple(CLASS_COARSE)

# Predicate local name -> symmetric?
PREDICATES: dict[str, bool] = {
    "worksFor": False,
    "partnerOf": True,
    "competesWith": True,
    "acquiredStakeIn": False,
    "subsidiaryOf": False,
    "regulates": False,
    "launched": False,
    "operatesIn": False,
    "issued": False,
    "appliesTo": False,
}
SYMMETRIC = frozenset(p for p, sym in PREDICATES.items() if sym)

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
