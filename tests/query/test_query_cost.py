"""The cost pre-check of kg serve: which texts are cartesian products of whole-store scans."""
from __future__ import annotations

import pytest

from kg.query.policy import expensive

CARTESIAN = [
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "SELECT * { { ?a ?b ?c } { ?d ?e ?f } }",
    "ASK { ?a ?b ?c . ?d ?e ?f }",
    "SELECT * { ?x <http://example.org/p> ?y { SELECT * { ?a ?b ?c . ?d ?e ?f } } }",
]
NOT_DECIDED_HERE = [
    "SELECT * { ?a ?b ?c . ?c ?e ?f }",  # joined on ?c
    "SELECT * { ?a ?b ?c . ?d ?e ?f FILTER(?a = ?d) }",  # a FILTER may join them
    "SELECT * { ?a ?b ?c . ?d ?e ?f } VALUES ?a { <http://example.org/a> }",
    "SELECT * { ?a ?b ?c . ?d <http://example.org/p> ?f }",  # one side is not a whole-store scan
    "SELECT * { { ?a ?b ?c } UNION { ?d ?e ?f } }",
    "SELECT * { ?a ?b ?c }",
    "SELECT * { ?a ?b ?c . ?d ?e ?f",  # not SPARQL: the engine says so
    "# ?a ?b ?c . ?d ?e ?f .\nSELECT * { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", CARTESIAN)
def test_cartesian_products_of_scans_are_expensive(text):
    assert expensive(text)


@pytest.mark.parametrize("text", NOT_DECIDED_HERE)
def test_other_texts_are_left_to_the_cpu_budget(text):
    assert not expensive(text)


def test_no_preset_is_expensive():
    from kg.query import presets

    assert not [name for name, p in presets().items() if expensive(p.text)]
