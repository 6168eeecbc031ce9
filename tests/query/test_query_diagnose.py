"""SPARQL mistakes explained in words, with line and column, on both engines (issue 13.5)."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph

from kg.errors import QueryError
from kg.query import get_preset, presets, query
from kg.query.diagnose import explain

CASES = [
    ("SELECT ?x WHERE { ?x a foo:Bar }",
     "line 1, column 24 at 'foo:Bar': the prefix 'foo:' is not declared; use one of pkg:, ent:"),
    ("PREFIX x: <http://x/>\nSELECT * WHERE { ?s y:z ?o }", "line 2, column 21 at 'y:z': the prefix 'y:'"),
    ("SELECT ?x WHERE { ?x ?p ?o FILTER(?x = ) }", "line 1, column 40 at ')': expected an expression after '='"),
    ("SELECT ?x WHERE { ?x a pkg:Platform ", "line 1, column 36 at end of query: the '{' at line 1, column 17 is never closed; expected '}'"),
    ("SELECT ?x WHERE {\n  ?x rdfs:label ?l\n  FILTER(?l = \"a\"\n}",
     "line 4, column 1 at '}': expected ')' to close the '(' at line 3, column 9"),
    ("SELECT ?x WHERE { ?x ?p ?o } }", "line 1, column 30 at '}': '}' closes nothing"),
    ("SELEC ?x WHERE {}", "line 1, column 1 at 'SELEC': expected SELECT, CONSTRUCT, DESCRIBE or ASK"),
    ("SELECT ?x WHERE { ?x ?p }", "line 1, column 25 at '}': expected an object after ?x ?p"),
    ("SELECT ?x WHERE { ?x pkg:p 'a }", "line 1, column 28 at \"'\": the string starting with ' is never closed"),
    ("SELECT (COUNT(?x) ?n) WHERE { ?x ?p ?o }", "line 1, column 19 at '?n': expected the rest of a SELECT"),
]


@pytest.mark.parametrize("engine", [Graph, ox.Store])
@pytest.mark.parametrize("text,expected", CASES)
def test_diagnose_error_says_where_and_what(engine, text, expected):
    with pytest.raises(QueryError) as e:
        query(engine(), text)
    msg = str(e.value)
    assert msg.startswith("Invalid SPARQL at ") and expected in msg
    assert "Expected SelectQuery" not in msg and "expected one of Prefix" not in msg and "['" not in msg
    assert "\n" not in msg


@pytest.mark.parametrize("name", sorted(presets()))
def test_diagnose_finds_nothing_in_valid_queries(name):
    assert explain(get_preset(name).text) is None


@settings(deadline=None)  # a shared machine: the first call (imports, engines) can be slow
@given(st.text(max_size=80))
def test_diagnose_never_fails_on_any_text(text):
    found = explain(text)
    assert found is None or found.startswith("Invalid SPARQL")
