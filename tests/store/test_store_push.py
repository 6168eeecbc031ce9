"""kg push against a real Oxigraph server on 127.0.0.1, compared with the local answers."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kg.errors import EndpointError
from kg.query import run_preset
from kg.store import open_source
from kg.store.push import push

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def oxigraph_server(tmp_path):
    if not Path(OXIGRAPH).exists():
        pytest.skip("the oxigraph CLI (PyPI package 'oxigraph') is not installed")
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve", "--location", str(tmp_path / "db"), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def _remote_select(base, sparql):
    r = requests.post(base + "/query", data={"query": sparql},
                      headers={"Accept": "application/sparql-results+json"}, timeout=30)
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def test_push_then_query_over_http_matches_local(oxigraph_server, sample_graph_path):
    report = push(sample_graph_path, oxigraph_server + "/store")
    assert report.graphs == 4  # two articles, facts, entities
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    n1 = int(_remote_select(oxigraph_server, count)[0]["n"]["value"])
    push(sample_graph_path, oxigraph_server + "/store")  # re-push replaces, never duplicates
    assert int(_remote_select(oxigraph_server, count)[0]["n"]["value"]) == n1
    local = open_source(sample_graph_path)
    assert n1 == len(local)
    graphs = _remote_select(oxigraph_server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert "https://w3id.org/platform-kg/id/article/a1" in {b["g"]["value"] for b in graphs}
    # a preset, run remotely with the IRI bound, gives the local answer
    from kg.query.presets import get_preset
    from kg.query.sparql import bind_values
    from rdflib import URIRef

    text = bind_values(get_preset("partners-of").text,
                       {"org": URIRef("https://w3id.org/platform-kg/id/org/xiaohongshu")})
    remote = sorted((b["partnerLabel"]["value"], b["evidence"]["value"]) for b in _remote_select(oxigraph_server, text))
    mine = sorted((str(r["partnerLabel"]), str(r["evidence"]))
                  for r in run_preset(local, "partners-of", {"org": "Xiaohongshu"}).dicts())
    assert remote == mine and {p for p, _ in mine} == {"Tmall", "JD.com"}


def test_push_unreachable_endpoint(sample_graph_path):
    with pytest.raises(EndpointError, match="cannot reach"):
        push(sample_graph_path, f"http://127.0.0.1:{_free_port()}/store", timeout=5)
