"""The ontology's vocabulary: GENERATED from ontology/platform.ttl by ``python -m kg.rdf.vocab_gen``.

Do not edit: change platform.ttl and regenerate (``tests/rdf/test_rdf_vocab.py`` fails while this
file is stale). It imports nothing of ours, so every stage may import it (the bottom layer).
"""
from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/platform-kg/ontology"


class PKG(DefinedNamespace):
    """platform-kg ontology terms (a misspelt term raises AttributeError)."""

    _fail = True
    _NS = Namespace(ONTOLOGY_IRI + "#")

    # classes
    Organization: URIRef  # Any organisation that is not better typed by a subclass.
    Company: URIRef  # A company, corporate group, investor or brand acting as a company.
    Platform: URIRef  # An app, marketplace, social network, super-app or other online platform (Taob...
    Association: URIRef  # An industry association, alliance, advocacy group or NGO.
    MediaOutlet: URIRef  # A newspaper, news agency, news site or research/report publisher named as an...
    GovernmentBody: URIRef  # A regulator, ministry, agency, bureau, court, or a government acting as a reg...
    Person: URIRef  # A named person.
    Place: URIRef  # A geographic place: a country, region or city.
    Country: URIRef  # A sovereign country or territory treated as one (Hong Kong).
    Region: URIRef  # A region larger or other than a country or city (Southeast Asia, the European...
    City: URIRef  # A city.
    Product: URIRef  # A named product, feature, programme, service, campaign or event (Grass Direct...
    Law: URIRef  # A named law, regulation, rule or official directive.
    Metric: URIRef  # A figure about an entity (money, count, share, growth) as stated in one article.
    Article: URIRef  # A news article that facts and figures were extracted from.
    # relations between entities
    worksFor: URIRef  # The person holds a role (given by pkg:role on the statement) at the organisat...
    partnerOf: URIRef  # A partnership, cooperation, co-development or integration between two organis...
    competesWith: URIRef  # The two organisations are named as competitors or rivals. Symmetric; the grap...
    acquiredStakeIn: URIRef  # The subject buys or holds a stake in, or the whole of, the object. Qualifiers...
    subsidiaryOf: URIRef  # The subject is owned by, or is a unit of, the object (its parent).
    regulates: URIRef  # The government body bans, fines, approves, investigates or supervises the org...
    launched: URIRef  # The organisation launches a product, feature, programme or platform. Qualifie...
    operatesIn: URIRef  # The organisation operates, sells or has users in the place.
    issued: URIRef  # The government body issues or enacts the law. Qualifier: pkg:date.
    appliesTo: URIRef  # The law or rule targets or applies to the organisation.
    # other properties
    mentionedIn: URIRef  # The entity is mentioned in the article.
    hasMetric: URIRef  # Links an entity to a figure stated about it.
    evidence: URIRef  # The sentence, quoted exactly from the article (citation markers removed), tha...
    evidenceStart: URIRef  # Character offset in the input file where the evidence sentence starts.
    evidenceEnd: URIRef  # Character offset in the input file where the evidence sentence ends (exclusive).
    confidence: URIRef  # How likely the extracted fact is correct, between 0 and 1, calibrated per ext...
    extractedBy: URIRef  # Name of the extraction rule that produced the statement or figure.
    typeDecision: URIRef  # How the class of the statement's subject or object was decided when it differ...
    modality: URIRef  # asserted, planned, negated, reported or forecast. Only asserted statements al...
    role: URIRef  # The role or title a person holds (on worksFor statements).
    stakePercent: URIRef  # The share acquired, in percent (on acquiredStakeIn statements).
    amount: URIRef  # The money paid, as a plain number in pkg:currency.
    currency: URIRef  # ISO 4217 code of pkg:amount.
    date: URIRef  # When the fact or figure holds, as precise as stated: xsd:gYear, xsd:gYearMont...
    metricType: URIRef  # One of valuation, revenue, netProfit, gmv, users, marketShare, investment, fi...
    value: URIRef  # The figure as a plain number ($26 billion is 26000000000; 35% is 35).
    unit: URIRef  # An ISO 4217 currency code, percent, count or ratio.
    coarseType: URIRef  # The coarse entity type of a class (ORG, GOV, PERSON, PLACE, PRODUCT, LAW): wh...


# Entity class -> coarse type (scoring, entity IRIs, relation signatures), in the ontology's order.
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
ENTITY_CLASSES: tuple[str, ...] = tuple(CLASS_COARSE)
COARSE_TYPES: tuple[str, ...] = ("ORG", "GOV", "PERSON", "PLACE", "PRODUCT", "LAW")

# Entity class -> its nearest entity superclass (rdfs:subClassOf).
CLASS_PARENT: dict[str, str] = {
    "Company": "Organization",
    "Platform": "Organization",
    "Association": "Organization",
    "MediaOutlet": "Organization",
    "GovernmentBody": "Organization",
    "Country": "Place",
    "Region": "Place",
    "City": "Place",
}

# Relation predicate -> symmetric (owl:SymmetricProperty)?
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
SYMMETRIC: frozenset[str] = frozenset(p for p, sym in PREDICATES.items() if sym)

# Relation predicate -> (rdfs:domain classes, rdfs:range classes) as written (a union lists its members).
SIGNATURE_CLASSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "worksFor": (("Person",), ("Organization",)),
    "partnerOf": (("Organization",), ("Organization",)),
    "competesWith": (("Organization",), ("Organization",)),
    "acquiredStakeIn": (("Organization",), ("Organization",)),
    "subsidiaryOf": (("Organization",), ("Organization",)),
    "regulates": (("GovernmentBody",), ("Organization",)),
    "launched": (("Organization",), ("Product", "Organization")),
    "operatesIn": (("Organization",), ("Place",)),
    "issued": (("GovernmentBody",), ("Law",)),
    "appliesTo": (("Law",), ("Organization",)),
}

# Relation predicate -> (allowed subject coarse types, allowed object coarse types): the domain and
# range with every subclass (pkg:Organization admits GOV, as pkg:GovernmentBody is an Organization).
SIGNATURE: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "worksFor": (frozenset(("PERSON",)), frozenset(("GOV", "ORG"))),
    "partnerOf": (frozenset(("GOV", "ORG")), frozenset(("GOV", "ORG"))),
    "competesWith": (frozenset(("GOV", "ORG")), frozenset(("GOV", "ORG"))),
    "acquiredStakeIn": (frozenset(("GOV", "ORG")), frozenset(("GOV", "ORG"))),
    "subsidiaryOf": (frozenset(("GOV", "ORG")), frozenset(("GOV", "ORG"))),
    "regulates": (frozenset(("GOV",)), frozenset(("GOV", "ORG"))),
    "launched": (frozenset(("GOV", "ORG")), frozenset(("GOV", "ORG", "PRODUCT"))),
    "operatesIn": (frozenset(("GOV", "ORG")), frozenset(("PLACE",))),
    "issued": (frozenset(("GOV",)), frozenset(("LAW",))),
    "appliesTo": (frozenset(("LAW",)), frozenset(("GOV", "ORG"))),
}
