"""kg.query.sparql.set_page: the page (--limit/--offset) is the query's one LIMIT clause."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib.plugins.sparql.parser import parseQuery

from kg.errors import ParameterError, QueryError
from kg.query import get_preset, presets
from kg.query.sparql import page_size, set_page, tokenize

QUERIES = [
    "SELECT ?s WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s  # a comment at the end",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10",
    "SELECT ?s WHERE { ?s ?p ?o } OFFSET 5 LIMIT 10",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10 OFFSET 5",
    "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 100 } ?s ?q ?r }",
    'SELECT ?s WHERE { ?s ?p "LIMIT 3" }',
]


def _clauses(text):
    toks = tokenize(text)
    return [(t.text.upper(), toks[i + 1].text) for i, t in enumerate(toks[:-1])
            if t.kind == "word" and t.text.upper() in ("LIMIT", "OFFSET")]


@settings(max_examples=200, deadline=None)
@given(text=st.sampled_from(QUERIES), limit=st.none() | st.integers(0, 10**9),
       offset=st.none() | st.integers(0, 10**9))
def test_set_page_sets_the_one_limit_and_keeps_the_query_valid(text, limit, offset):
    out = set_page(text, limit, offset)
    parseQuery(out)  # still SPARQL
    clauses = _clauses(out)
    assert sum(1 for k, _ in clauses if k == "LIMIT") == (0 if limit is None and page_size(text) is None else 1)
    if limit is not None:
        assert page_size(out) == limit
    else:
        assert page_size(out) == page_size(text)
    if offset:
        assert ("OFFSET", str(offset)) in clauses
    assert '"LIMIT 3"' in out or '"LIMIT 3"' not in text


def test_set_page_without_arguments_changes_nothing():
    for text in QUERIES:
        assert set_page(text) == text


@pytest.mark.parametrize("limit, offset", [(-1, None), (None, -3), ("10", None), (True, None)])
def test_set_page_refuses_what_is_not_a_count(limit, offset):
    with pytest.raises(ParameterError):
        set_page(QUERIES[0], limit, offset)


def test_set_page_refuses_several_limits():
    text = "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 } }\nLIMIT 1"
    with pytest.raises(QueryError, match="2 LIMIT clauses .lines 1, 2."):
        set_page(text, 5)


@pytest.mark.parametrize("name", sorted(presets()))
def test_every_preset_can_be_paged(name):
    text = get_preset(name).text
    out = set_page(text, 7, 14)
    parseQuery(out)
    assert page_size(out) == 7 and ("OFFSET", "14") in _clauses(out)


@pytest.mark.parametrize("text, col", [("SELECT ?x WHERE { ?x ?p ?org } }", 32),
                                       ("SELECT ?x WHERE { ?x ?p ?org", 29)])
def test_syntax_errors_point_into_the_text_the_user_wrote(sample_graph_path, text, col):
    """Binding parameters (VALUES blocks) and paging change the text the engine sees: the error
    must still give the line and column of the user's own text."""
    from kg.query import query
    from kg.store import load_graph, open_source

    for engine in (load_graph(sample_graph_path), open_source(sample_graph_path)):
        with pytest.raises(QueryError, match=f"line 1, column {col}"):
            query(engine, text, {"org": "Xiaohongshu"}, limit=5)
