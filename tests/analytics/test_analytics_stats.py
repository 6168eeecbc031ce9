"""kg stats on the sample graph: exact counts, centrality, components, communities; JSON and text."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.analytics import compute_stats, format_stats, pagerank_of
from kg.cli import cli

XHS = "https://w3id.org/platform-kg/id/org/xiaohongshu"


@pytest.fixture(scope="module")
def stats(sample_graph_path):
    g = Graph()
    g.parse(sample_graph_path)
    return compute_stats(g, top=5)


@pytest.mark.parametrize("key,expected", [
    ("entities", 9), ("relations", 8), ("articles", 2), ("triples", 155),
    ("date_span", {"first": "2023-10-05", "last": "2025-08-14"}),
])
def test_analytics_stats_counts(stats, key, expected):
    assert stats[key] == expected


@pytest.mark.parametrize("cls,n", [("Platform", 4), ("Company", 1), ("Person", 1), ("Country", 1)])
def test_analytics_stats_entities_per_class(stats, cls, n):
    assert stats["entities_per_class"][cls] == n


@pytest.mark.parametrize("pred,n", [("partnerOf", 2), ("worksFor", 1), ("competesWith", 1)])
def test_analytics_stats_facts_per_predicate(stats, pred, n):
    # the planned Douyin partnership is a statement, not a fact
    assert stats["facts_per_predicate"][pred] == n
    assert stats["statements_per_modality"] == {"asserted": 8, "planned": 1}


@pytest.mark.parametrize("ranking", ["top_degree", "top_pagerank"])
def test_analytics_stats_most_central_is_xiaohongshu(stats, ranking):
    assert stats[ranking][0]["iri"] == XHS
    assert stats[ranking][0]["label"] == "Xiaohongshu"
    assert len(stats[ranking]) == 5


@pytest.mark.parametrize("part", ["components", "communities"])
def test_analytics_stats_components_and_communities(stats, part):
    assert stats["components"] == {"count": 2, "sizes": [5, 4], "isolated": 0}
    labels = [{m["label"] for m in c["top_members"]} for c in stats["communities"]]
    assert {"Xiaohongshu", "Tmall", "JD.com", "Douyin", "Conan"} in labels


@pytest.mark.parametrize("n", [6])
def test_analytics_pagerank_matches_networkx(n):
    import networkx as nx
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    g = nx.karate_club_graph()
    ours, ref = pagerank_of(g), _pagerank_python(g, weight="weight", tol=1e-12)
    assert max(abs(ours[k] - ref[k]) for k in g) < 1e-5
    assert abs(sum(ours.values()) - 1) < 1e-9


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_analytics_stats_cli(fmt, sample_graph_path, stats):
    args = ["stats", str(sample_graph_path), "--top", "5"] + (["--json"] if fmt == "json" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert json.loads(result.output) == json.loads(json.dumps(stats))
    else:
        assert result.output.strip() == format_stats(stats)
        assert result.output.startswith("9 entities, 8 relations, 2 articles (2023-10-05 .. 2025-08-14)")
        assert "Most central actors (PageRank)" in result.output


@pytest.mark.parametrize("seed", ["seed"])
def test_analytics_stats_on_seed(seed, seed_graph):
    s = compute_stats(seed_graph)
    assert s["entities"] > 10 and s["relations"] > 5 and s["articles"] >= 1
    assert s["top_pagerank"] and s["components"]["count"] >= 1
