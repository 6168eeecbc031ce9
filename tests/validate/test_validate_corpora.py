"""Every corpus we ship builds into a graph that obeys its own ontology (issue 15): 0 violations.

A violation here is a bug signal, not noise: resolution decides each entity's class once and drops
the facts that no longer fit their predicate (see kg.resolve.entities), so any finding means a
stage wrote something the data model does not allow.
"""
from __future__ import annotations

import pytest

from conftest import DATA, REPO

CORPORA = sorted([*DATA.glob("*/*.txt"), *(REPO / "train").glob("*/articles.txt"), *(REPO / "data").glob("*.txt")])


def assert_no_violations(graph, where: str = "") -> None:
    """The graph conforms: no SHACL or ontology violation (the report lists them if not)."""
    from kg.validate import validate_graph

    report = validate_graph(graph)
    assert report.violation_count == 0, f"{where}: {report.text}"


@pytest.mark.slow
@pytest.mark.parametrize("path", CORPORA, ids=lambda p: str(p.relative_to(REPO)))
def test_validate_corpus_builds_without_violations(path):
    from kg.pipeline import build_graph

    result = build_graph([path])
    assert result.articles > 0
    assert_no_violations(result.graph, str(path))


@pytest.mark.parametrize("which", ["seed"])
def test_validate_seed_build_has_no_violations(which, seed_graph):
    assert_no_violations(seed_graph, which)
