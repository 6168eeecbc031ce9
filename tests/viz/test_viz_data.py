"""The viewer's data and page, without a browser: graph -> nodes/edges, focus, cap, escaping, CLI."""
from __future__ import annotations

import json
import math
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.errors import KGError, OutputError
from kg.rdf.namespace import ENT, PKG
from kg.viz import build_view, render_html, write_html
from kg.viz.data import format_value, predicate_label
from kg.viz.page import json_for_script


@pytest.fixture
def sample(sample_graph_path) -> Graph:
    return Graph().parse(sample_graph_path)


def _node(view, label):
    return next(n for n in view.nodes if n.label == label)


def _edges(view, a, p, b):
    ia, ib = _node(view, a).id, _node(view, b).id
    return [e for e in view.edges if e.predicate == p and {e.source, e.target} == {ia, ib}]


def test_viz_data_entities_are_nodes_with_class_aliases_wikidata(sample):
    view = build_view(sample)
    assert len(view.nodes) == 9 and view.total_entities == 9
    xhs = _node(view, "Xiaohongshu")
    assert xhs.cls == "Platform" and xhs.coarse == "ORG"
    assert ("小红书", "zh") in xhs.aliases and ("RED", "en") in xhs.aliases
    assert xhs.wikidata == "Q55379457"
    assert _node(view, "Indonesia").cls == "Country"          # most specific class
    assert _node(view, "Conan").cls == "Person"


def test_viz_data_metrics_listed_with_dates_and_evidence(sample):
    xhs = _node(build_view(sample), "Xiaohongshu")
    [m] = xhs.metrics
    assert (m.type, m.text, m.date) == ("valuation", "USD 26 billion", "2025")
    assert "$26 billion" in m.evidence and m.article is not None


@pytest.mark.parametrize("value,unit,text", [
    (26e9, "USD", "USD 26 billion"), (35, "percent", "35%"), (125e6, "count", "125 million"),
    (4500, "count", "4,500"), (1.5, "ratio", "1.5"), (None, "USD", "? USD"), (2.25e12, "CNY", "CNY 2.25 trillion"),
])
def test_viz_data_format_value(value, unit, text):
    assert format_value(value, unit) == text


@pytest.mark.parametrize("name,label", [("acquiredStakeIn", "acquired stake in"), ("partnerOf", "partner of")])
def test_viz_data_predicate_label(name, label):
    assert predicate_label(name) == label


def test_viz_data_facts_carry_statements_with_qualifiers_and_evidence(sample):
    view = build_view(sample)
    [works] = _edges(view, "Conan", "worksFor", "Xiaohongshu")
    assert works.directed and works.modality == "asserted" and works.confidence == 0.9
    [st_] = works.statements
    assert ("role", "COO") in st_.qualifiers
    assert st_.evidence.startswith("The integration of the commercial")
    art = view.articles[st_.article]
    assert (art.title, art.date, art.publisher) == ("小红书急破电商困局", "2025-08-14", "Hua Er Jie Jian Wen")
    [issued] = _edges(view, "Ministry of Trade of Indonesia", "issued", "Trade Ministry Regulation No. 31 of 2023")
    assert ("date", "2023") in issued.statements[0].qualifiers


def test_viz_data_symmetric_predicates_are_one_undirected_edge(sample):
    # the same partnership stored in both directions stays one edge
    sample.add((ENT["org/xiaohongshu"], PKG.partnerOf, ENT["org/tmall"]))
    view = build_view(sample)
    [edge] = [e for e in _edges(view, "Tmall", "partnerOf", "Xiaohongshu") if e.modality == "asserted"]
    assert not edge.directed
    assert edge.style["arrows"]["to"]["enabled"] is False
    [regulates] = _edges(view, "Ministry of Trade of Indonesia", "regulates", "TikTok Shop")
    assert regulates.style["arrows"]["to"]["enabled"] is True


def test_viz_data_non_asserted_statement_is_a_styled_edge(sample):
    view = build_view(sample)
    edges = _edges(view, "Douyin", "partnerOf", "Xiaohongshu")
    [planned] = edges
    assert planned.modality == "planned" and planned.style["dashes"]
    asserted = _edges(view, "Tmall", "partnerOf", "Xiaohongshu")[0]
    assert asserted.style["dashes"] is False
    # it shares its pair with the competesWith edge: drawn curved so both show
    assert planned.curve == 1 and "smooth" in planned.style


def test_viz_data_confidence_shows_in_width_and_opacity(sample):
    view = build_view(sample)
    hi = _edges(view, "Conan", "worksFor", "Xiaohongshu")[0]           # 0.9
    lo = _edges(view, "TikTok Shop", "operatesIn", "Indonesia")[0]     # 0.7
    assert hi.style["width"] > lo.style["width"]
    assert hi.style["color"]["opacity"] > lo.style["color"]["opacity"]


def test_viz_data_legend_counts_classes_and_predicates(sample):
    view = build_view(sample)
    counts = {c["name"]: c["count"] for c in view.classes}
    assert counts == {"Company": 1, "Platform": 4, "GovernmentBody": 1, "Person": 1, "Country": 1, "Law": 1}
    preds = {p["name"]: p for p in view.predicates}
    assert preds["partnerOf"]["symmetric"] and preds["partnerOf"]["count"] == 3
    assert (view.date_min, view.date_max) == ("2023-10-05", "2025-08-14")


@pytest.mark.parametrize("focus,depth,expected", [
    ("Xiaohongshu", 0, {"Xiaohongshu"}),
    ("小红书", 1, {"Xiaohongshu", "Tmall", "JD.com", "Douyin", "Conan"}),
    ("https://w3id.org/platform-kg/id/org/tiktok-shop", 1,
     {"TikTok Shop", "Indonesia", "Ministry of Trade of Indonesia", "Trade Ministry Regulation No. 31 of 2023"}),
    ("tmall", 2, {"Xiaohongshu", "Tmall", "JD.com", "Douyin", "Conan"}),
])
def test_viz_data_focus_keeps_the_neighbourhood(sample, focus, depth, expected):
    view = build_view(sample, focus=focus, depth=depth)
    assert {n.label for n in view.nodes} == expected
    assert view.total_entities == 9
    assert view.nodes[view.focus["id"]].rank == 0
    ids = {n.id for n in view.nodes}
    assert all(e.source in ids and e.target in ids for e in view.edges)
    assert [n.id for n in view.nodes] == list(range(len(view.nodes)))


@pytest.mark.parametrize("focus,message", [
    ("Nobody", "no entity has this name"),
    ("tik", "did you mean: TikTok Shop"),
])
def test_viz_data_focus_unknown_entity_says_what_exists(sample, focus, message):
    with pytest.raises(KGError, match=message):
        build_view(sample, focus=focus)


def test_viz_data_focus_ambiguous_asks_for_iri(sample):
    sample.add((ENT["org/tmall-2"], RDF.type, PKG.Company))
    sample.add((ENT["org/tmall-2"], RDFS.label, Literal("Tmall", lang="en")))
    with pytest.raises(KGError, match="give the IRI"):
        build_view(sample, focus="Tmall")


def test_viz_data_max_nodes_draws_most_connected_and_counts_the_rest(sample):
    view = build_view(sample, max_nodes=3)
    drawn = {n.label for n in view.drawn_nodes}
    assert drawn == {"Xiaohongshu", "TikTok Shop", "Douyin"}  # degrees 5, 3, 2 (ties by mentions, name)
    d = view.to_dict()
    assert d["omitted"] == 6 and d["max_nodes"] == 3
    assert all({e.source, e.target} <= {n.id for n in view.drawn_nodes} for e in view.drawn_edges)
    assert build_view(sample, max_nodes=100).max_nodes is None    # nothing to leave out


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_viz_data_json_for_script_is_inert_and_round_trips(s):
    out = json_for_script({"s": s, "k": [s]})
    assert not re.search("[<>&\u2028\u2029]", out)
    assert json.loads(out) == {"s": s, "k": [s]}


XSS = '<img src=x onerror="window.__xss=1"></script><script>window.__xss=2</script>'


@pytest.mark.parametrize("renderer,scripts", [("canvas", 3), ("webgl", 4)])
def test_viz_page_is_self_contained_and_escapes_data(sample, renderer, scripts):
    import base64
    import hashlib

    sample.add((ENT["org/tmall"], RDFS.label, Literal(XSS)))  # a second label, never preferred over @en
    sample.set((ENT["org/douyin"], RDFS.label, Literal(XSS, lang="en")))
    html, view = render_html(sample, title=XSS, renderer=renderer)
    assert view.renderer == renderer
    assert XSS not in html
    assert "<title>&lt;img src=x" in html
    # data island, vis-network (or graphology + sigma), viewer: nothing else (core-js inside
    # vis-network spells "<script>" in a string)
    assert len(re.findall(r"^<script", html, re.M)) == scripts
    assert not re.search(r"<script[^>]+src=|<link\b|<iframe|<img\b", html, re.I)
    # every script that runs is allowed by its hash, and only those
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html).group(1).replace("&#39;", "'")
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    running = re.findall(r"^<script>(.*?)</script>$", html, re.M | re.S)
    assert len(running) == scripts - 1
    assert allowed == {base64.b64encode(hashlib.sha256(js.encode()).digest()).decode() for js in running}
    css = "".join(re.findall(r"<style>(.*?)</style>", html, re.S))
    assert "@import" not in css and not re.search(r"url\((?!\"?data:)", css)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html.replace("&#39;", "'")
    data = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S).group(1)
    assert "Douyin" not in {n["label"] for n in json.loads(data)["nodes"]}
    assert XSS in {n["label"] for n in json.loads(data)["nodes"]}


def test_viz_write_html_writes_atomically_and_reports(sample, tmp_path):
    out = tmp_path / "sub" / "graph.html"
    result = write_html(sample, out)
    assert out.is_file() and result.bytes == out.stat().st_size
    assert (result.nodes, result.edges, result.layout, result.clusters) == (9, 9, "precomputed", 0)
    assert [p.name for p in out.parent.iterdir()] == ["graph.html"]     # no temp file, no lib/
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_html(sample, blocker / "graph.html")


def _ring_graph(n: int) -> Graph:
    g = Graph()
    for i in range(n):
        g.add((ENT[f"org/o{i}"], RDF.type, PKG.Company))
        g.add((ENT[f"org/o{i}"], RDFS.label, Literal(f"Org {i}", lang="en")))
        g.add((ENT[f"org/o{i}"], PKG.partnerOf, ENT[f"org/o{(i + 1) % (n - 10)}"]))
    return g


def test_viz_large_graph_is_laid_out_before_writing():
    html, view = render_html(_ring_graph(320))
    assert view.layout == "precomputed"
    pts = [(n.x, n.y) for n in view.nodes]
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pts)
    assert len(set(pts)) == len(pts)
    assert '"layout":"precomputed"' in html
    _, again = render_html(_ring_graph(320))
    assert [(n.x, n.y) for n in again.nodes] == pts                  # deterministic


def test_viz_cli_writes_page_and_reports(sample_graph_path, tmp_path):
    from kg.cli import cli

    out = tmp_path / "v.html"
    r = CliRunner().invoke(cli, ["viz", str(sample_graph_path), "-o", str(out), "--focus", "小红书", "--depth", "1"])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"wrote {out} (5 entities, 5 relations;")
    assert out.is_file()


def test_viz_cli_unknown_focus_is_a_one_line_error(sample_graph_path, tmp_path):
    from kg.cli import cli

    r = CliRunner().invoke(cli, ["viz", str(sample_graph_path), "-o", str(tmp_path / "v.html"), "--focus", "Nobody"])
    assert r.exit_code == 1
    assert "Error: --focus 'Nobody': no entity has this name" in r.output
    assert not (tmp_path / "v.html").exists()


def test_viz_cli_default_output_next_to_graph(copy_sample):
    from kg.cli import cli

    r = CliRunner().invoke(cli, ["viz", str(copy_sample)])
    assert r.exit_code == 0, r.output
    assert copy_sample.with_suffix(".html").is_file()


def test_viz_data_unused_uri(sample):
    # a statement whose subject is not a typed entity is skipped, not drawn as a dangling edge
    st_ = URIRef("https://w3id.org/platform-kg/id/statement/x")
    sample.add((st_, RDF.type, RDF.Statement))
    sample.add((st_, RDF.subject, URIRef("https://example.org/unknown")))
    sample.add((st_, RDF.predicate, PKG.partnerOf))
    sample.add((st_, RDF.object, ENT["org/tmall"]))
    assert len(build_view(sample).edges) == 9


# ---------------------------------------------------------------- layout and structure (kg.viz.layout, .structure)

def _random_edges(n: int, m: int, seed: int) -> list[tuple[int, int]]:
    import random

    rnd = random.Random(seed)
    weights = [1 / (i + 1) ** 0.8 for i in range(n)]
    return [(rnd.choices(range(n), weights)[0], rnd.randrange(n)) for _ in range(m)]


@pytest.mark.parametrize("n,m", [(150, 200), (1500, 3500)])       # exact and particle-mesh repulsion
def test_viz_layout_discs_do_not_overlap_and_isolated_nodes_ring_the_giant_component(n, m):
    import numpy as np

    from kg.viz.layout import positions

    edges = [(a, b) for a, b in _random_edges(n, m, 1) if a < n - 20 and b < n - 20]   # last 20 isolated
    radius = np.full(n, 10.0)
    pos = positions(n, edges, radius=radius)
    d = np.sqrt(((pos[:, None] - pos[None]) ** 2).sum(axis=2))
    np.fill_diagonal(d, np.inf)
    assert (d >= 2 * 10.0 - 0.5).all(), f"{int((d < 19.5).sum()) // 2} pairs of discs overlap"
    import networkx as nx

    g = nx.Graph([e for e in edges if e[0] != e[1]])
    giant = sorted(max(nx.connected_components(g), key=len))
    isolated = [v for v in range(n) if v not in g]
    reach = np.sqrt((pos[giant] ** 2).sum(axis=1)).max()
    assert len(isolated) >= 20 and (np.sqrt((pos[isolated] ** 2).sum(axis=1)) > reach).all()
    assert (positions(n, edges, radius=radius) == pos).all()                          # deterministic


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_viz_particle_mesh_repulsion_follows_the_exact_sum(seed):
    import numpy as np

    from kg.viz.layout import _repulsion_exact, _repulsion_grid

    rng = np.random.default_rng(seed)
    pos = rng.normal(size=(2000, 2)) * 100
    mass = rng.integers(1, 20, 2000).astype(float)
    exact, grid = _repulsion_exact(pos, mass), _repulsion_grid(pos, mass)
    err = np.linalg.norm(exact - grid, axis=1) / np.linalg.norm(exact, axis=1)
    assert np.median(err) < 0.05 and np.percentile(err, 90) < 0.25


def test_viz_pagerank_and_communities_match_kg_stats(sample):
    import networkx as nx

    from kg.analytics import actor_graph, pagerank_of
    from kg.viz.structure import communities, pagerank

    view = build_view(sample)
    pairs = [(e.source, e.target) for e in view.edges]
    # on kg stats' actor graph (parallel relations as weight) the numpy PageRank gives pagerank_of's
    g = actor_graph(sample)
    index = {v: i for i, v in enumerate(g)}
    multi = [(index[a], index[b]) for a, b, d in g.edges(data=True) for _ in range(d["weight"])]
    ours = pagerank(len(index), multi)
    for v, value in pagerank_of(g).items():
        assert ours[index[v]] == pytest.approx(value, rel=1e-6)
    # the same method and seed as kg stats: a partition as good (modularity) as the one it lists
    comm, method = communities(len(view.nodes), pairs)
    assert method == "Louvain"
    linked = g.subgraph(v for v in g if g.degree(v) > 0)
    theirs_parts = nx.community.louvain_communities(linked, weight="weight", seed=42)
    node_of = {str(v): v for v in linked}
    groups: dict[int, set] = {}
    for nd in view.nodes:
        if comm[nd.id] >= 0 and nd.iri in node_of:
            groups.setdefault(comm[nd.id], set()).add(node_of[nd.iri])
    assert set().union(*groups.values()) == set(linked)
    ours_q = nx.community.modularity(linked, list(groups.values()), weight="weight")
    assert ours_q >= 0.95 * nx.community.modularity(linked, theirs_parts, weight="weight")
