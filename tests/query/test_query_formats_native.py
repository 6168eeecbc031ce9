"""The result writers give the same bytes from pyoxigraph's own terms as from rdflib terms
(the endpoint writes pyoxigraph's rows directly; kg query and the API use rdflib terms)."""
from __future__ import annotations

import json

import pytest

from kg.query import query
from kg.query.engine import OxigraphEngine
from kg.query.formats import render
from kg.store import open_source

QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
    "SELECT ?x ?l WHERE { ?x rdfs:label ?l OPTIONAL { ?x skos:altLabel ?none } } ORDER BY ?x ?l",
    'SELECT ?b ?t ?n ?d WHERE { BIND(BNODE("b") AS ?b) BIND("tab\\there \\"q\\"\\nline"@en AS ?t) '
    'BIND(3.50 AS ?n) BIND("2024-01-02"^^xsd:date AS ?d) }',
    "ASK { ?s ?p ?o }",
]


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
@pytest.mark.parametrize("text", QUERIES)
def test_native_terms_write_the_same_bytes(sample_graph_path, text, fmt):
    engine = OxigraphEngine(open_source(sample_graph_path))
    plain = render(query(engine, text), fmt)
    native = render(query(engine, text, native_terms=True), fmt)
    if "BNODE" in text:  # a fresh blank node per run: compare the rest
        plain, native = (x.replace(x.split("_:")[-1][:8], "") if "_:" in x else x for x in (plain, native))
    assert native == plain


TRICKY = [  # literals that look like the separators of SPARQL JSON solutions, empty solutions
    'SELECT ?x WHERE { VALUES ?x { "a},{\\"b" "c},{" "d},{}" "e},{}," <http://x> } }',
    'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a"@en UNDEF) (UNDEF UNDEF) (1 2) } }',
    'SELECT ?x ?y WHERE { VALUES (?x ?y) { ("a" UNDEF) ("b" "c") (UNDEF UNDEF) } }',
    "SELECT * WHERE { }",
    "SELECT ?x WHERE { FILTER(false) }",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
]


@pytest.mark.parametrize("max_rows", [None, 1, 3, 4, 5])
@pytest.mark.parametrize("text", TRICKY)
def test_json_written_by_oxigraph_is_the_same_answer(sample_graph_path, text, max_rows):
    """kg serve's workers let Oxigraph write SELECT answers in JSON (native_terms="json"): the same
    solutions, row count, cut at the same row cap, as the rows written by kg.query.formats."""
    engine = OxigraphEngine(open_source(sample_graph_path))
    rows = query(engine, text, max_rows=max_rows, native_terms=True)
    written = query(engine, text, max_rows=max_rows, native_terms="json")
    assert (len(written), written.truncated) == (len(rows), rows.truncated)
    if max_rows is None:
        assert written.json is not None
    if rows.truncated:  # a cut answer is written from its rows (and so is one that may be over the cap)
        assert written.json is None
    assert json.loads(render(written, "json")) == json.loads(render(rows, "json"))
