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


@pytest.mark.parametrize("text", [
    "SELECT * { ?n ?relation ?object . ?subject ?relation ?n }",  # the ecosystem preset's two scans
    "SELECT * { ?a ?b ?c . ?c ?e ?f . ?f ?g ?a }",
])
def test_free_patterns_that_share_variables_are_not_parsed(text):
    """Two all-variable patterns sharing a variable cannot be a cartesian product: no rdflib
    parse (0.1-0.2 s for a long text such as a bound ecosystem preset, more than the query)."""
    from kg.query.policy import shape

    shape.cache_clear()
    assert not expensive(text)
    assert shape.cache_info().misses == 0


def test_bound_presets_are_not_parsed_by_the_server_checks():
    """Neither the offline check nor the cost pre-check parses a bound preset text: a variable
    named ?from is not the FROM keyword (what-changed), the ecosystem's scans share variables."""
    from rdflib import Literal, URIRef

    from kg.query import get_preset
    from kg.query.policy import check_offline, shape
    from kg.query.sparql import inline_values

    org = URIRef("https://w3id.org/platform-kg/id/org/x")
    for name, bindings in [("what-changed", {"from": Literal("2024-03-01"), "to": Literal("2024-03-07")}),
                           ("ecosystem", {"org": org, "hops": Literal(2)}), ("facts-about", {"org": org})]:
        text = inline_values(get_preset(name).text, bindings)
        shape.cache_clear()
        assert check_offline(text).form == "unparsed" and not expensive(text), name
        assert shape.cache_info().misses == 0, name


def test_from_keyword_still_parsed_and_refused():
    from kg.errors import QueryError
    from kg.query.policy import check_offline

    with pytest.raises(QueryError, match="FROM"):
        check_offline("SELECT ?from FROM <http://example.org/g> WHERE { ?from ?p ?o }")
