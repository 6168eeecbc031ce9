"""The presets were rewritten for speed (start from the bound entity, single-pattern OPTIONALs,
bound terms written in place for Oxigraph, the page picked in a sub-SELECT before the details are
looked up): all their pages together must give the same answers as the slower reference versions
in ``reference_presets/`` on both engines, on the sample graph and on a small synthetic graph
from ``benchmarks/make_synthetic.py``."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg.query import QueryResult, get_preset, query, run_preset
from kg.query.sparql import bind_values, inline_values, page_size, set_page
from kg.store import add_to_store, load_graph, open_source

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference_presets"
REPO = HERE.parents[1]


ALL = 10**6  # a page bigger than any test graph's answer


def _key(res):
    def value(t):
        if t is None:
            return ""
        if isinstance(t, Literal) and t.datatype is not None:
            v = t.toPython()
            return repr(v.normalize() if hasattr(v, "normalize") else v)
        if isinstance(t, Literal) and " | " in t:  # GROUP_CONCAT: the engines may order the parts differently
            return " | ".join(sorted(str(t).split(" | ")))
        return str(t)
    return sorted(tuple(value(t) for t in row) for row in res.rows)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("make_synthetic", REPO / "benchmarks" / "make_synthetic.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    path = tmp_path_factory.mktemp("syn") / "syn.nt"
    mod.generate(12_000, str(path), seed=3)
    return path


# rdflib evaluates ecosystem's 20-way property paths too slowly for the synthetic graph (minutes);
# its rdflib answers are compared on the sample graph below
ORACLE_ONLY = ("ecosystem",)


def _engines(path, name=""):
    import pyoxigraph as ox

    store = ox.Store()
    add_to_store(load_graph(path), store)
    if name in ORACLE_ONLY:
        return {"oxigraph-store": store}
    return {"rdflib": load_graph(path), "oxigraph-store": store}


CASES = [
    ("partners-of", {"org": "Org 0"}), ("partners-of", {"org": "Org 7"}),
    ("competitors-of", {"org": "Org 1"}), ("people-roles", {}), ("people-roles", {"org": "Org 2"}),
    ("products-of", {"org": "Org 0"}), ("deals", {}), ("deals", {"org": "Org 0"}),
    ("regulators", {}), ("regulators", {"org": "Org 3"}), ("facts-about", {"org": "Org 0"}),
    ("facts-about", {"org": "Person 0"}), ("what-changed", {"from": "2021-03", "to": "2021-06"}),
    ("ecosystem", {"org": "Org 0", "hops": "1"}), ("ecosystem", {"org": "Org 5", "hops": "2"}),
    ("products-of", {"org": "Org 7"}), ("ecosystem", {"org": "Org 3"}),
    ("entities-by-type", {"type": "Company"}), ("entities-by-type", {"type": "Person"}),
]
PAGED = ("facts-about", "regulators", "what-changed", "ecosystem", "entities-by-type")


@pytest.mark.parametrize("name, params", CASES)
def test_fast_preset_equals_reference_on_synthetic(synthetic, name, params):
    ref_text = (REFERENCE / f"{name}.rq").read_text(encoding="utf-8")
    for label, engine in _engines(synthetic, name).items():
        new = run_preset(engine, name, params, limit=ALL)
        ref = query(engine, ref_text, params)
        assert len(new.rows) < 1000, "raise the test graph's LIMIT headroom"
        assert _key(new) == _key(ref), (label, name, params)
        assert not new.warnings
        assert new.rows or name == "what-changed" or params.get("org") == "Org 7", (label, name)


@pytest.mark.parametrize("name", ["partners-of", "competitors-of", "people-roles", "products-of", "deals",
                                  "regulators", "facts-about", "what-changed", "ecosystem", "entities-by-type"])
def test_fast_preset_equals_reference_on_sample(sample_graph_path, name):
    params = {"partners-of": {"org": "小红书"}, "competitors-of": {"org": "Xiaohongshu"},
              "products-of": {"org": "Xiaohongshu"}, "facts-about": {"org": "Xiaohongshu"},
              "what-changed": {"from": "2023", "to": "2025-12"},
              "ecosystem": {"org": "Xiaohongshu", "hops": "2"}, "entities-by-type": {"type": "Platform"}}.get(name, {})
    ref_text = (REFERENCE / f"{name}.rq").read_text(encoding="utf-8")
    for engine in (load_graph(sample_graph_path), open_source(sample_graph_path)):
        assert _key(run_preset(engine, name, params, limit=ALL)) == _key(query(engine, ref_text, params))


@pytest.mark.parametrize("name, params", [c for c in CASES if c[0] in PAGED])
def test_pages_together_are_the_whole_answer(synthetic, name, params):
    """Consecutive pages (--limit/--offset) cover every row exactly once, on both engines; the
    default page is the preset's first page, and a full page says there may be more."""
    for label, engine in _engines(synthetic, name).items():
        whole = run_preset(engine, name, params, limit=ALL)
        size = max(7, len(whole.rows) // 4)  # several pages, the last one partial
        pages, offset = [], 0
        while True:
            page = run_preset(engine, name, params, limit=size, offset=offset)
            assert len(page.rows) <= size, (label, name)
            pages.extend(page.rows)
            if len(page.rows) < size:
                assert not page.warnings
                break
            assert any(f"offset {offset + size}" in w for w in page.warnings), page.warnings
            offset += size
        assert _key(QueryResult("select", rows=pages)) == _key(whole), (label, name, params)
        first = run_preset(engine, name, params)
        assert first.rows == run_preset(engine, name, params, limit=page_size(get_preset(name).text)).rows


def test_listing_presets_have_one_page_limit():
    """Every preset that lists rows has exactly one LIMIT: the page that --limit/--offset set.
    The presets that look up many details per row pick a page of 100 in a sub-SELECT."""
    for name, preset in ((n, get_preset(n)) for n in ("partners-of", "competitors-of", "people-roles",
                                                      "products-of", "deals", "regulators", "facts-about",
                                                      "what-changed", "ecosystem", "entities-by-type")):
        size = page_size(preset.text)
        assert size in (100, 1000), name
        if name in PAGED:
            assert size == 100 and "{\n    SELECT" in preset.text, name
            assert "Pages of 100" in preset.description or "pages of 100" in preset.description, name


def test_inline_values_writes_terms_and_keeps_values():
    text = "SELECT ?x WHERE { ?x <http://p> ?org . OPTIONAL { ?y <http://q> ?org } } ORDER BY ?org"
    out = inline_values(text, {"org": URIRef("http://e/1")})
    assert out.count("<http://e/1>") == 3  # VALUES + two patterns; ORDER BY keeps the variable
    assert "VALUES (?org) { (<http://e/1>) }" in out and out.endswith("ORDER BY ?org")
    lit = inline_values(text, {"org": Literal('x" } ; DROP ALL ; #')})
    assert '"x\\" } ; DROP ALL ; #"' in lit and "?org ." not in lit


def test_inline_values_reaches_into_nested_selects():
    text = "SELECT ?x ?org WHERE { { SELECT ?x ?org WHERE { ?x <http://p> ?org } LIMIT 5 } ?x <http://q> ?y }"
    out = inline_values(text, {"org": URIRef("http://e/1")})
    assert "SELECT ?x (<http://e/1> AS ?org) WHERE { ?x <http://p> <http://e/1> }" in out
    assert out.startswith("SELECT ?x ?org WHERE { VALUES (?org) { (<http://e/1>) }")


def test_bind_values_binds_every_nested_select_that_uses_the_parameter():
    text = ("SELECT ?x WHERE { { SELECT ?x WHERE { ?x <http://p> ?org } LIMIT 1 } "
            "{ SELECT ?y WHERE { ?y <http://q> ?z } } }")
    out = bind_values(text, {"org": URIRef("http://e/1")})
    assert out.count("VALUES (?org) { (<http://e/1>) }") == 2  # the outer group and the first sub-SELECT
    assert "{ SELECT ?x WHERE { VALUES (?org) { (<http://e/1>) }  ?x <http://p> ?org }" in out
    assert "{ SELECT ?y WHERE { ?y" in out


def test_a_parameter_bound_inside_a_page_restricts_the_page(tmp_path):
    """Bottom-up evaluation would pick a sub-SELECT's page among every value: the parameter must
    be bound inside it (VALUES form on rdflib, inlined on Oxigraph): the same rows either way."""
    from rdflib import Graph

    g = Graph()
    for i in range(30):
        g.add((URIRef(f"http://e/s{i:02d}"), URIRef("http://p"), URIRef(f"http://e/o{i % 3}")))
    text = "SELECT ?s WHERE { { SELECT ?s WHERE { ?s <http://p> ?org } ORDER BY ?s LIMIT 4 } }"
    import pyoxigraph as ox

    store = ox.Store()
    add_to_store(g, store)
    for engine in (g, store):
        rows = query(engine, text, {"org": "http://e/o1"}).rows
        assert sorted(str(r[0]) for r in rows) == ["http://e/s01", "http://e/s04", "http://e/s07", "http://e/s10"]


@pytest.mark.parametrize("text", [
    "SELECT ?x WHERE { { SELECT ?x ?org WHERE { ?x <http://p> ?org } ORDER BY ?org } }",
    "SELECT ?x WHERE { { SELECT ?org (COUNT(*) AS ?n) WHERE { ?x <http://p> ?org } GROUP BY ?org } }",
    "SELECT ?x WHERE { { SELECT (STR(?org) AS ?o) WHERE { ?x <http://p> ?org } } }",
    "SELECT ?x WHERE { ?x <http://p> ?y MINUS { ?x <http://q> ?org } }",
    "SELECT ?x WHERE { ?x <http://p> ?y FILTER(!BOUND(?org)) }",
    "SELECT ?x WHERE { ?x <http://p> ?y BIND(?y AS ?org) }",
])
def test_inline_values_refuses_where_meaning_could_change(text):
    assert inline_values(text, {"org": URIRef("http://e/1")}) is None


def test_inlined_and_values_forms_agree(sample_graph_path):
    store = open_source(sample_graph_path)
    q = get_preset("facts-about").text
    org = URIRef("https://w3id.org/platform-kg/id/org/xiaohongshu")
    from kg.query.engine import OxigraphEngine
    from kg.query.sparql import bind_values

    e = OxigraphEngine(store)
    assert _key(e.execute(inline_values(q, {"org": org}))) == _key(e.execute(bind_values(q, {"org": org})))


def test_ecosystem_walks_one_hop_unless_asked(sample_graph_path):
    """Two hops from a much-mentioned organisation reach a large part of a big graph (about a
    second on a 1M-triple store): the default is one hop, and more is asked for with hops."""
    assert get_preset("ecosystem").param("hops").default == "1"
    assert "HOPS is 1 unless you raise" in get_preset("ecosystem").description
    for engine in (load_graph(sample_graph_path), open_source(sample_graph_path)):
        one = run_preset(engine, "ecosystem", {"org": "Xiaohongshu"}, limit=ALL)
        assert one.rows and one.rows == run_preset(engine, "ecosystem", {"org": "Xiaohongshu", "hops": "1"},
                                                   limit=ALL).rows
        assert {int(r[0]) for r in one.rows} == {1}
        two = run_preset(engine, "ecosystem", {"org": "Xiaohongshu", "hops": "2"}, limit=ALL)
        assert set(one.rows) <= set(two.rows)
