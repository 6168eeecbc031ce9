"""Hand-written sentences (none from the seed or dev corpora: other companies, regions and
phrasings) with the facts each must, and must not, assert. Negated, planned and reported
statements must never become direct triples."""
from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg.rdf.namespace import PKG, SYMMETRIC
from kg.resolve.entities import norm

from conftest import DATA

CASES = [json.loads(line) for line in (DATA / "sentences.jsonl").read_text(encoding="utf-8").splitlines() if line]
# Known gaps: the case id and why the rules miss it today. Strict, so fixing one is noticed.
KNOWN_GAPS: dict[str, str] = {
    "t45": "the small parser reads the whole sentence as a noun phrase headed by 'service'; "
           "'GrabPay Later' is cut at the adverb",
    "t46": "'in Hong Kong' attaches to 'Keeta', so the place goes to the app, not to Meituan",
    "t84": "the sentence splitter starts a new sentence at 'Later', cutting 'ShopeePay Later service in Malaysia' off",
}


@pytest.fixture(scope="module")
def sentence_graph():
    from kg.pipeline import build_graph

    lines = "\n".join(json.dumps({"title": f"Test sentence {c['id']}", "source": "tests", "date": "2025-06-01",
                                  "text": c["text"]}) for c in CASES)
    result = build_graph(["-"], stdin=io.BytesIO(lines.encode("utf-8")))
    assert not result.report.errors
    return result.graph


def _nodes(g, name):
    key = norm(name)
    return {s for p in (RDFS.label, SKOS.altLabel) for s, o in g.subject_objects(p) if norm(str(o)) == key}


def _article(g, case_id):
    return g.value(predicate=DCTERMS.title, object=Literal(f"Test sentence {case_id}"))


def _asserted(g, article, s, p, o) -> bool:
    ss, oo = _nodes(g, s), _nodes(g, o)
    for st in g.subjects(PROV.wasDerivedFrom, article):
        if (st, RDF.type, RDF.Statement) not in g or g.value(st, RDF.predicate) != PKG[p]:
            continue
        if str(g.value(st, PKG.modality)) != "asserted":
            continue
        a, b = g.value(st, RDF.subject), g.value(st, RDF.object)
        if (a in ss and b in oo) or (p in SYMMETRIC and a in oo and b in ss):
            return (a, PKG[p], b) in g
    return False


def _metric(g, article, entity, mtype, value) -> bool:
    for node in g.subjects(PROV.wasDerivedFrom, article):
        if (node, RDF.type, PKG.Metric) in g and str(g.value(node, PKG.metricType)) == mtype:
            owner = next(iter(g.subjects(PKG.hasMetric, node)), None)
            v = Decimal(str(g.value(node, PKG.value)))
            if owner in _nodes(g, entity) and abs(v - Decimal(str(value))) <= abs(Decimal(str(value))) / 100:
                return True
    return False


def _marks(case):
    if case["id"] in KNOWN_GAPS:
        return [pytest.mark.xfail(reason=KNOWN_GAPS[case["id"]], strict=True)]
    return []


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"], marks=_marks(c)) for c in CASES])
def test_sentence_facts(sentence_graph, case):
    g = sentence_graph
    art = _article(g, case["id"])
    assert art is not None
    missing = [f for f in case["facts"] if not _asserted(g, art, *f)]
    wrong = [f for f in case["absent"] if _asserted(g, art, *f)]
    missing_m = [m for m in case["metrics"] if not _metric(g, art, *m)]
    assert not missing and not wrong and not missing_m, (
        f"{case['text']}\n missing: {missing}\n asserted but must not be: {wrong}\n missing figures: {missing_m}")


def test_sentence_set_is_large_and_varied():
    preds = {f[1] for c in CASES for f in c["facts"] + c["absent"]}
    assert len(CASES) >= 60
    assert preds == {"worksFor", "partnerOf", "competesWith", "acquiredStakeIn", "subsidiaryOf", "regulates",
                     "launched", "operatesIn", "issued", "appliesTo"}
    assert sum(1 for c in CASES if c["absent"]) >= 10  # negations and hedges
