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
# The share of sentences whose every fact (and no forbidden fact) comes out. The extractor is a
# trained model: single sentences may fail, the rate may not drop.
PASS_FLOOR = 0.65
ABSENT_CEILING = 0.08
PREDICATES = {"worksFor", "partnerOf", "competesWith", "acquiredStakeIn", "subsidiaryOf", "regulates",
              "launched", "operatesIn", "issued", "appliesTo"}


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


def _problems(g, case) -> str:
    art = _article(g, case["id"])
    if art is None:
        return "no article"
    missing = [f for f in case["facts"] if not _asserted(g, art, *f)]
    wrong = [f for f in case["absent"] if _asserted(g, art, *f)]
    missing_m = [m for m in case["metrics"] if not _metric(g, art, *m)]
    if not (missing or wrong or missing_m):
        return ""
    return f"{case['id']}: missing {missing}, asserted but must not be {wrong}, missing figures {missing_m}"


def test_sentence_pass_rate(sentence_graph):
    problems = [p for c in CASES if (p := _problems(sentence_graph, c))]
    rate = 1 - len(problems) / len(CASES)
    assert rate >= PASS_FLOOR, f"{rate:.3f} of {len(CASES)} sentences pass:\n" + "\n".join(problems)


def test_sentence_hedged_facts_are_rarely_asserted(sentence_graph):
    """Negated, planned and reported statements, and pairs merely mentioned together: the share of
    such forbidden facts the graph asserts stays under a ceiling (it was 0 with the rules alone on the
    first 100 sentences, written against them)."""
    g = sentence_graph
    forbidden = [(c, f) for c in CASES for f in c["absent"] if f not in c["facts"]]
    wrong = [f"{c['id']}: {f}" for c, f in forbidden if _asserted(g, _article(g, c["id"]), *f)]
    assert len(wrong) / len(forbidden) <= ABSENT_CEILING, f"{len(wrong)} of {len(forbidden)}:\n" + "\n".join(wrong)


def test_sentence_set_is_large_and_varied():
    per_pred = {p: sum(1 for c in CASES for f in c["facts"] if f[1] == p) for p in PREDICATES}
    assert len(CASES) >= 100
    assert min(per_pred.values()) >= 5, per_pred
    assert sum(1 for c in CASES if c["absent"]) >= 10  # negations and hedges
