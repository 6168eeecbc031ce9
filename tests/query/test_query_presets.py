"""Presets, parameters and the two engines (rdflib and Oxigraph) answering alike."""
from __future__ import annotations

import pytest
from rdflib import Literal

from kg.errors import ParameterError, QueryError
from kg.query import presets, run_preset
from kg.store import add_to_store, load_graph, open_source

PARAMS = {
    "people-roles": {}, "partners-of": {"org": "小红书"}, "competitors-of": {"org": "xiaohongshu"},
    "deals": {}, "regulators": {}, "products-of": {"org": "Xiaohongshu"},
    "ecosystem": {"org": "RED", "hops": "2"}, "metrics-of": {"org": "Xiaohongshu"},
    "facts-about": {"org": "Xiaohongshu"}, "entities-by-type": {"type": "Platform"},
    "what-changed": {"from": "2023", "to": "2025-12"},
}


@pytest.fixture(scope="module")
def engines(sample_graph_path):
    import pyoxigraph as ox

    store = ox.Store()
    add_to_store(load_graph(sample_graph_path), store)  # partitioned like a store directory
    return {"rdflib": load_graph(sample_graph_path), "oxigraph-file": open_source(sample_graph_path),
            "oxigraph-store": store}


def _value(t):
    """Compare values, not lexical forms: Oxigraph stores 26000000000.0 as 26000000000."""
    if t is None:
        return ""
    if isinstance(t, Literal) and t.datatype is not None:
        v = t.toPython()
        return repr(v.normalize() if hasattr(v, 'normalize') else v)
    return " | ".join(sorted(str(t).split(" | ")))  # GROUP_CONCAT order is unspecified


def _key(res):
    return sorted(tuple(_value(t) for t in row) for row in res.rows)


def test_presets_have_headers():
    ps = presets()
    assert len(ps) >= 11 and set(PARAMS) <= set(ps)
    for p in ps.values():
        assert p.title and p.description and p.examples, p.name


@pytest.mark.parametrize("name", sorted(PARAMS))
def test_preset_same_answers_on_both_engines(engines, name):
    results = {k: run_preset(e, name, PARAMS[name]) for k, e in engines.items()}
    first = _key(results["rdflib"])
    for k, r in results.items():
        assert not r.warnings, (k, r.warnings)
        assert _key(r) == first, k


def test_people_roles_conan_coo(engines):
    rows = run_preset(engines["oxigraph-store"], "people-roles").dicts()
    row = next(r for r in rows if str(r["personLabel"]) == "Conan")
    assert (str(row["role"]), str(row["orgLabel"])) == ("COO", "Xiaohongshu")
    assert "COO Conan" in str(row["evidence"]) and str(row["articleTitle"]) == "小红书急破电商困局"


@pytest.mark.parametrize("org", ["小红书", "Xiaohongshu", "xiaohongshu", "RED", "ent:org/xiaohongshu", "kgorg:xiaohongshu",
                                 "<https://w3id.org/platform-kg/id/org/xiaohongshu>"])
def test_partners_of_by_label_alias_or_iri(engines, org):
    rows = run_preset(engines["oxigraph-file"], "partners-of", {"org": org}).dicts()
    assert {str(r["partnerLabel"]) for r in rows} == {"Tmall", "JD.com"}
    assert all(r["evidence"] and r["articleTitle"] for r in rows)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph-file"])
@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; #', 'nomatch" || true || "', "x' } DROP ALL #",
                                   'Xiaohongshu"@en } UNION { ?a ?b ?c', "\\u0022 } ; DROP ALL ; #", "a\nb\\"])
def test_injection_returns_nothing_changes_nothing(engines, engine, value):
    g = engines[engine]
    before = len(g)
    res = run_preset(g, "partners-of", {"org": value})
    assert res.rows == []
    assert len(g) == before
    # a raw query with a free parameter: bound as a literal value, not as syntax
    res = __import__("kg.query", fromlist=["query"]).query(
        g, "SELECT ?s WHERE { ?s rdfs:label ?name }", {"name": value})
    assert res.rows == [] and len(g) == before


def test_ambiguous_parameter_lists_candidates(engines):
    import pyoxigraph as ox

    store = ox.Store()
    add_to_store(load_graph(engines["rdflib"] and __import__("pathlib").Path(
        __file__).parents[1] / "data" / "sample-graph.ttl"), store)
    store.add(ox.Quad(ox.NamedNode("https://w3id.org/platform-kg/id/product/red"),
                      ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("RED", language="en")))
    with pytest.raises(ParameterError, match=r"'red' is ambiguous.*org/xiaohongshu.*product/red"):
        run_preset(store, "partners-of", {"org": "red"})


def test_missing_parameter_names_it_with_candidates(engines):
    with pytest.raises(ParameterError, match=r"missing parameter 'org'.*entities include Conan"):
        run_preset(engines["oxigraph-file"], "partners-of", {})


@pytest.mark.parametrize("params, message", [
    ({"org": "Xiaohongshu", "bogus": "1"}, "unknown parameter 'bogus'"),
    ({"org": "Xiaohongshu", "hops": "9"}, "out of range"),
    ({"org": "Xiaohongshu", "hops": "two"}, "not a whole number"),
])
def test_bad_parameters(engines, params, message):
    with pytest.raises(ParameterError, match=message):
        run_preset(engines["oxigraph-file"], "ecosystem", params)


def test_unknown_preset_lists_presets():
    with pytest.raises(QueryError, match=r"Unknown preset 'partner'.*partners-of.*people-roles"):
        run_preset(None, "partner")


def test_unknown_label_warns_and_matches_nothing(engines):
    res = run_preset(engines["oxigraph-file"], "partners-of", {"org": "Xiaohongsu"})
    assert res.rows == [] and "did you mean 'Xiaohongshu'" in res.warnings[0]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph-file", "oxigraph-store"])
@pytest.mark.parametrize("sparql", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERV\\u0049CE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
    "PREFIX ex: <http://example.org/>\nSELECT * FROM NAMED ex:data WHERE { GRAPH ?g { ?s ?p ?o } }",
])
def test_service_and_remote_from_refused(engines, engine, sparql):
    with pytest.raises(QueryError, match="SERVICE|FROM"):
        __import__("kg.query", fromlist=["query"]).query(engines[engine], sparql)


@pytest.mark.parametrize("sparql", [
    'SELECT ?service WHERE { ?service rdfs:label "SERVICE <http://x/> FROM <http://y/>" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/>",
])
def test_service_word_in_strings_and_variables_is_fine(engines, sparql):
    __import__("kg.query", fromlist=["query"]).query(engines["oxigraph-file"], sparql)


def test_from_local_named_graph_allowed(engines):
    q = __import__("kg.query", fromlist=["query"]).query
    res = q(engines["oxigraph-store"],
            "SELECT ?t FROM <https://w3id.org/platform-kg/id/article/a2> WHERE { ?a dcterms:title ?t }")
    assert [str(r[0]) for r in res.rows] == ["TikTok Shop in Indonesia"]


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph-file"])
@pytest.mark.parametrize("sparql, where", [
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTR(?x) }", "line 3, column 3 at 'FILTR'"),
    ("SELEC * WHERE { ?s ?p ?o }", "line 1, column 1 at 'SELEC'"),
])
def test_invalid_sparql_shows_line_column_token(engines, engine, sparql, where):
    with pytest.raises(QueryError, match=f"Invalid SPARQL at {where}"):
        __import__("kg.query", fromlist=["query"]).query(engines[engine], sparql)


def test_updates_cannot_run(engines):
    g = engines["oxigraph-file"]
    before = len(g)
    with pytest.raises(QueryError):
        __import__("kg.query", fromlist=["query"]).query(g, "DROP ALL")
    assert len(g) == before


def test_public_api(sample_graph_path):
    import kg

    g = kg.load_graph(sample_graph_path)
    res = kg.query(g, "SELECT ?l WHERE { ?p a pkg:Person ; rdfs:label ?l }")
    assert [r[0] for r in res.rows] == [Literal("Conan", lang="en")]
