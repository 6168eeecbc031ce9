"""Resolved extractions -> rdflib Graph, exactly as ``docs/data-model.md`` says.

Per fact: a direct triple (asserted facts only) plus one ``rdf:Statement`` node per article that
states it, with qualifiers and provenance. Per figure: a ``pkg:Metric`` node. Per article: a
``pkg:Article`` node. All IRIs are deterministic (see :mod:`kg.resolve.iri`).
"""
from __future__ import annotations

from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.extract.types import Fact, Figure
from kg.ingest.article import Article
from kg.rdf.namespace import PKG, PREDICATES, SCHEMA, WD, bind_prefixes
from kg.resolve.entities import Resolution
from kg.resolve.iri import article_iri, metric_iri, statement_iri
from kg.util import lang_of

_QUALIFIER_TYPES = {"stakePercent": XSD.decimal, "amount": XSD.decimal}


def date_literal(value: str) -> Literal:
    """'2025' -> gYear, '2025-08' -> gYearMonth, '2025-08-14' -> date, with time -> dateTime."""
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if "T" in value:
        v = value if value.count(":") == 2 else value + ":00"
        return Literal(v, datatype=XSD.dateTime)
    return Literal(value)


def decimal_literal(value) -> Literal:
    """Canonical xsd:decimal with a decimal point ("26000000000.0"): rdflib's Turtle writer prints
    a point-less decimal such as "0" as ``0.0``, so without it Turtle and N-Triples disagree."""
    d = Decimal(str(value)).normalize()
    text = format(d, "f")
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal)


def add_article(g: Graph, a: Article) -> URIRef:
    node = article_iri(a.id)
    g.add((node, RDF.type, PKG.Article))
    g.add((node, RDF.type, SCHEMA.NewsArticle))
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, DCTERMS.identifier, Literal(a.id)))
    g.add((node, DCTERMS.title, Literal(a.title)))
    if a.date:
        g.add((node, DCTERMS.date, date_literal(a.date)))
    if a.source:
        g.add((node, DCTERMS.publisher, Literal(a.source)))
    if a.path:
        g.add((node, DCTERMS.source, Literal(a.location)))
    if a.url:
        g.add((node, SCHEMA.url, Literal(a.url, datatype=XSD.anyURI)))
    return node


def _evidence(g: Graph, node: URIRef, article: Article, ev) -> None:
    passage = article.passages[ev.passage] if 0 <= ev.passage < len(article.passages) else None
    text = ev.text
    if passage is not None and passage.text[ev.start:ev.end] == text:
        text = passage.verbatim(ev.start, ev.end)  # as written: names were normalised for the model only
    g.add((node, PKG.evidence, Literal(text)))
    if passage is not None:
        span = passage.raw_span(ev.start, ev.end)
        if span is not None:
            g.add((node, PKG.evidenceStart, Literal(span[0])))
            g.add((node, PKG.evidenceEnd, Literal(span[1])))


def to_graph(res: Resolution, min_confidence: float = 0.0) -> Graph:
    g = Graph()
    bind_prefixes(g)
    used: set[str] = set()
    notes: dict[str, dict[int, str]] = {}
    for (aid, i), note in res.type_notes.items():
        notes.setdefault(aid, {})[i] = note
    for ex in res.extractions:
        aid = ex.article.id
        add_extraction(g, ex, lambda m, aid=aid: res.mention_entity[(aid, m)], res.entities, notes.get(aid, {}), used,
                       min_confidence)
    add_entities(g, (res.entities[eid] for eid in sorted(used)))
    return g


def add_extraction(g: Graph, ex, entity_id, entities: dict, notes: dict[int, str], used: set[str],
                   min_confidence: float = 0.0) -> URIRef:
    """Add one resolved article to ``g``: its node, mentions, statements and metrics (what
    :func:`kg.export.rdf.article_graphs` puts in the article's named graph). ``entity_id(mention)``
    is the mention's entity id in ``entities``; ``notes`` the type decisions by fact index; the
    entity ids used are added to ``used`` (their descriptions: :func:`add_entities`)."""
    art = ex.article

    def ent_iri(mention):
        eid = entity_id(mention)
        used.add(eid)
        return entities[eid].iri

    anode = add_article(g, art)
    for m in ex.mentions:
        g.add((ent_iri(m), PKG.mentionedIn, anode))
    # one statement per (s, p, o, article, modality): the most confident evidence wins
    best: dict[tuple, tuple[Fact, int]] = {}
    for i, f in enumerate(ex.facts):
        if f.confidence < min_confidence:
            continue
        s, o = ent_iri(f.subject), ent_iri(f.object)
        if s == o:
            continue
        if PREDICATES[f.predicate] and str(o) < str(s):
            s, o = o, s  # symmetric: store one canonical direction
        k = (s, f.predicate, o, f.modality)
        if k not in best or f.confidence > best[k][0].confidence:
            best[k] = (f, i)
    for (s, p, o, modality), (f, i) in sorted(best.items(), key=lambda kv: tuple(map(str, kv[0]))):
        pred = PKG[p]
        if modality == "asserted":
            g.add((s, pred, o))
        st = statement_iri(str(s), p, str(o), art.id, modality)
        g.add((st, RDF.type, RDF.Statement))
        g.add((st, RDF.subject, s))
        g.add((st, RDF.predicate, pred))
        g.add((st, RDF.object, o))
        for q, v in sorted(f.qualifiers.items()):
            if v in (None, ""):
                continue
            if q == "date":
                g.add((st, PKG.date, date_literal(str(v))))
            elif q in _QUALIFIER_TYPES:
                g.add((st, PKG[q], decimal_literal(v)))
            else:
                g.add((st, PKG[q], Literal(str(v))))
        g.add((st, PROV.wasDerivedFrom, anode))
        _evidence(g, st, art, f.evidence)
        g.add((st, PKG.confidence, decimal_literal(round(f.confidence, 3))))
        g.add((st, PKG.extractedBy, Literal(f.rule)))
        g.add((st, PKG.modality, Literal(modality)))
        note = notes.get(i)
        if note:
            g.add((st, PKG.typeDecision, Literal(note)))
    seen_metrics: set[URIRef] = set()
    for fig in ex.figures:
        if fig.confidence < min_confidence:
            continue
        e = ent_iri(fig.entity)
        node = metric_iri(str(e), fig.metric_type, fig.value, fig.unit, fig.date, art.id, fig.modality)
        if node in seen_metrics:
            continue
        seen_metrics.add(node)
        _add_metric(g, e, node, fig, art, anode)
    return anode


def add_entities(g: Graph, entities) -> None:
    """The descriptions of ``entities`` (class, labels, sameAs): the default graph's part."""
    for ent in entities:
        node = ent.iri
        g.add((node, RDF.type, PKG[ent.cls]))
        g.add((node, RDFS.label, Literal(ent.label, lang=lang_of(ent.label))))
        for alt in ent.alt_labels:
            g.add((node, SKOS.altLabel, Literal(alt, lang=lang_of(alt))))
        if ent.wikidata:
            g.add((node, OWL.sameAs, WD[ent.wikidata]))


def _add_metric(g: Graph, e: URIRef, node: URIRef, fig: Figure, art: Article, anode: URIRef) -> None:
    g.add((e, PKG.hasMetric, node))
    g.add((node, RDF.type, PKG.Metric))
    g.add((node, PKG.metricType, Literal(fig.metric_type)))
    g.add((node, PKG.value, decimal_literal(fig.value)))
    g.add((node, PKG.unit, Literal(fig.unit)))
    if fig.date:
        g.add((node, PKG.date, date_literal(fig.date)))
    g.add((node, PROV.wasDerivedFrom, anode))
    _evidence(g, node, art, fig.evidence)
    g.add((node, PKG.confidence, decimal_literal(round(fig.confidence, 3))))
    g.add((node, PKG.extractedBy, Literal(fig.rule)))
    g.add((node, PKG.modality, Literal(fig.modality)))
