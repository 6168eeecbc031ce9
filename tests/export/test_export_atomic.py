"""A failure mid-export leaves the previous file (or files) intact and no temp files behind."""
from __future__ import annotations

import pytest
from rdflib import Graph

from kg.export import FORMATS, export_graph


class Boom(RuntimeError):
    pass


@pytest.fixture(scope="module")
def sample_graph(sample_graph_path):
    g = Graph()
    g.parse(sample_graph_path)
    return g


def _fail_after_first_write(monkeypatch):
    """Make every file handle that atomic_write hands out fail after its first chunk."""
    import contextlib

    from kg.util import atomic_write as real

    @contextlib.contextmanager
    def failing(path, mode="w", encoding="utf-8"):
        with real(path, mode, encoding) as fh:
            class Half:
                def write(self, data):
                    fh.write(data[: max(1, len(data) // 2)])
                    raise Boom("disk full (simulated)")

            yield Half()

    for module in ("kg.export.rdf", "kg.export.jsonld", "kg.export.graphfiles", "kg.export.neo4j"):
        monkeypatch.setattr(f"{module}.atomic_write", failing)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_atomic_failure_keeps_previous(fmt, sample_graph, tmp_path, monkeypatch):
    target = tmp_path / FORMATS[fmt][1]
    written = export_graph(sample_graph, fmt, target)
    before = {p: p.read_bytes() for p in written}
    _fail_after_first_write(monkeypatch)
    with pytest.raises(Boom):
        export_graph(Graph(), fmt, target)
    assert {p: p.read_bytes() for p in written} == before
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@pytest.mark.parametrize("fmt", ["ttl"])
def test_export_atomic_first_write_failure_leaves_nothing(fmt, sample_graph, tmp_path, monkeypatch):
    _fail_after_first_write(monkeypatch)
    with pytest.raises(Boom):
        export_graph(sample_graph, fmt, tmp_path / "graph.ttl")
    assert list(tmp_path.iterdir()) == []
