"""Identifiers in outputs can be pasted back into a query (issue 13.3)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.query import presets, query, run_preset
from kg.query.formats import render, shorten
from kg.resolve.iri import article_iri, entity_iri, metric_iri, statement_iri
from kg.store import load_graph, open_source

from test_query_presets import PARAMS

# a prefixed name or a full IRI, as a table cell shows it
IDENT = re.compile(r"^(?:<[^>\s]+>|[a-z][\w-]*:[^\s\"]+)$")


@pytest.fixture(scope="module")
def graphs(sample_graph_path):
    return {"rdflib": load_graph(sample_graph_path), "oxigraph": open_source(sample_graph_path)}


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("name", sorted(presets()))
def test_formats_every_identifier_in_a_table_describes_itself(graphs, engine, name):
    g = graphs[engine]
    res = run_preset(g, name, PARAMS.get(name, {}))
    table = render(res, "table", max_width=10_000)
    shown = {c for line in table.splitlines()[2:-1] for c in line.split("  ") if IDENT.match(c.strip())}
    for ident in sorted(c.strip() for c in shown):
        if ident.startswith(("pkg:", "rdf:", "rdfs:", "xsd:", "schema:", "org:", "skos:", "prov:", "owl:")):
            continue  # vocabulary terms: valid by construction, described by the ontology, not the graph
        assert len(query(g, f"DESCRIBE {ident}")) > 0, f"{ident} (shown by {name}) describes nothing"


def test_formats_entity_iris_keep_their_form_and_get_a_class_prefix():
    iri = entity_iri("ORG", "JD.com")
    assert str(iri) == "https://w3id.org/platform-kg/id/org/jd.com"
    assert shorten(str(iri)) == "kgorg:jd.com"
    assert shorten(str(entity_iri("PERSON", "Conan"))) == "kgperson:conan"


_NAMES = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)


@settings(deadline=None)  # a shared machine: the first call (imports, engines) can be slow
@given(cls=st.sampled_from(["ORG", "GOV", "PERSON", "PLACE", "PRODUCT", "LAW"]), name=_NAMES)
def test_formats_shortened_entity_iri_parses_to_itself(cls, name):
    _round_trip(entity_iri(cls, name))


@settings(deadline=None)  # a shared machine: the first call (imports, engines) can be slow
@given(parts=st.lists(_NAMES, min_size=1, max_size=3))
def test_formats_shortened_node_iris_parse_to_themselves(parts):
    for iri in (article_iri(parts[0]), metric_iri(*parts), statement_iri(*(parts * 5)[:4], "asserted")):
        _round_trip(iri)


def _round_trip(iri):
    """``SELECT (shown AS ?x) {}`` on both engines gives back the same IRI."""
    import pyoxigraph as ox
    from rdflib import Graph

    shown = shorten(str(iri))
    for g in (Graph(), ox.Store()):
        res = query(g, f"SELECT ?x WHERE {{ BIND({shown} AS ?x) }}")
        assert str(res.rows[0][0]) == str(iri), shown
