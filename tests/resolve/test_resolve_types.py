"""One decision point for an entity's class (issue 15): a fact's slots vote, facts are checked against
their predicate's signature with the final classes, re-typings are noted and misfits dropped."""
from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import RDF

from kg.extract.reference import load_reference
from kg.extract.types import ArticleExtraction, Evidence, Fact, Mention
from kg.ingest.article import Article, Passage
from kg.rdf.mapping import to_graph
from kg.rdf.namespace import PKG
from kg.resolve.entities import resolve, slot_fits
from kg.validate import validate_graph


def article(i: int, mentions: list[tuple[str, str]], facts: list[tuple[int, str, int]]) -> ArticleExtraction:
    """An extraction by hand: ``mentions`` as (name, class), ``facts`` as (subject index, predicate, object index)."""
    text = " ".join(name for name, _ in mentions) + "."
    art = Article(id=f"a{i}", title=f"Article {i}", source="tests", date="2025-01-02", path="t.txt", line=i,
                  passages=[Passage(text=text)])
    ms, pos = [], 0
    for name, cls in mentions:
        ms.append(Mention(name=name, cls=cls, passage=0, start=pos, end=pos + len(name)))
        pos += len(name) + 1
    ev = Evidence(0, 0, len(text), text)
    fs = [Fact(ms[s], p, ms[o], ev, "test-rule", 0.8) for s, p, o in facts]
    return ArticleExtraction(article=art, mentions=ms, facts=fs)


def entity_class(res, name: str) -> str:
    return next(e.cls for e in res.entities.values() if e.label == name)


@pytest.mark.parametrize("pred, slot, cls, fits", [
    ("partnerOf", 1, "Platform", True), ("partnerOf", 1, "Product", False), ("worksFor", 1, "GovernmentBody", True),
    ("launched", 1, "Product", True), ("operatesIn", 1, "City", True), ("operatesIn", 0, "Person", False),
])
def test_resolve_slot_fits_signature(pred, slot, cls, fits):
    assert slot_fits(pred, slot, cls) == fits


@pytest.mark.parametrize("product_mentions", [2, 3])
def test_resolve_relation_slots_outvote_the_model(product_mentions):
    """Vurjo is typed Product by the model more often than Company, but two facts say it is an organisation."""
    exs = [article(1, [("Krizo", "Company"), ("Vurjo", "Company")], [(0, "partnerOf", 1)]),
           article(2, [("Dexipa", "Company"), ("Vurjo", "Company")], [(0, "competesWith", 1)])]
    exs += [article(3 + k, [("Vurjo", "Product")], []) for k in range(product_mentions)]
    res = resolve(exs, load_reference())
    assert entity_class(res, "Vurjo") == "Company"
    assert not res.dropped
    assert sum(len(ex.facts) for ex in res.extractions) == 2
    assert validate_graph(to_graph(res)).violation_count == 0


def test_resolve_fact_that_no_longer_fits_is_dropped():
    """Ten mentions call Romi Mall a product: the one worksFor fact naming it an employer is dropped."""
    exs = [article(1, [("Tamsin Oruvel", "Person"), ("Romi Mall", "Company")], [(0, "worksFor", 1)])]
    exs += [article(2 + k, [("Romi Mall", "Product")], []) for k in range(10)]
    res = resolve(exs, load_reference())
    assert entity_class(res, "Romi Mall") == "Product"
    assert [d.fact.predicate for d in res.dropped] == ["worksFor"]
    assert "object ent:product/romi-mall is a Product; worksFor needs GOV or ORG" in res.dropped[0].reason
    g = to_graph(res)
    assert not list(g.triples((None, PKG.worksFor, None)))
    assert validate_graph(g).violation_count == 0


def test_resolve_retyped_argument_that_still_fits_is_noted():
    """launched admits a Product or an organisation: the fact stays, with how its object was typed."""
    exs = [article(1, [("Krizo", "Company"), ("Zentavo", "Product")], [(0, "launched", 1)])]
    exs += [article(2 + k, [("Zentavo", "Company")], []) for k in range(5)]
    res = resolve(exs, load_reference())
    assert entity_class(res, "Zentavo") == "Company"
    g = to_graph(res)
    st = next(g.subjects(RDF.predicate, PKG.launched))
    assert g.value(st, PKG.typeDecision) == Literal("object typed Product by extraction, Company by the corpus vote")
    assert str(g.value(st, PKG.extractedBy)) == "test-rule"  # the rule name stays what calibration reads
    assert validate_graph(g).violation_count == 0
