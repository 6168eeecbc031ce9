"""kg query / kg load / kg serve / kg push on the command line."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_query_partners_of_table(sample_graph_path):
    r = _run("query", str(sample_graph_path), "--preset", "partners-of", "--param", "org=小红书", "--max-width", "0")
    assert r.exit_code == 0, r.output
    for text in ("Tmall", "JD.com", "小红书急破电商困局", "The company has faced challenges due to its partnerships"):
        assert text in r.output


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_query_inline_formats(sample_graph_path, fmt):
    r = _run("query", str(sample_graph_path), "SELECT ?l WHERE { ?p a pkg:Person ; rdfs:label ?l }", "--format", fmt)
    assert r.exit_code == 0 and "Conan" in r.output
    if fmt == "json":
        assert json.loads(r.output)["results"]["bindings"][0]["l"]["value"] == "Conan"


def test_query_people_roles_from_file_and_store(tmp_path, sample_graph_path):
    store = tmp_path / "store"
    r = _run("load", str(sample_graph_path), "--store", str(store))
    assert r.exit_code == 0 and "2 articles" in r.output
    rq = tmp_path / "q.rq"
    rq.write_text(_run("query", "--preset", "people-roles", "--show").output, encoding="utf-8")
    r = _run("query", str(store), "-f", str(rq), "--format", "csv")
    assert r.exit_code == 0
    assert "Conan,COO,Xiaohongshu" in r.output


def test_query_list():
    r = _run("query", "--list")
    assert r.exit_code == 0 and "partners-of" in r.output and "people-roles" in r.output


@pytest.mark.parametrize("args, message", [
    (["--preset", "nope"], "Unknown preset 'nope'"),
    (["--preset", "partners-of"], "missing parameter 'org'"),
    (["SELECT * WHERE { ?s ?p }"], "Invalid SPARQL at line 1"),
    (["SELECT * WHERE { SERVICE <http://x.example/> { ?s ?p ?o } }"], "SERVICE"),
])
def test_query_errors_one_line(sample_graph_path, args, message):
    r = CliRunner().invoke(cli, ["query", str(sample_graph_path), *args])
    assert r.exit_code != 0
    assert message in r.output and r.output.startswith("Error: ") and r.output.count("\n") == 1


def test_push_unreachable_one_line(sample_graph_path):
    r = CliRunner().invoke(cli, ["push", str(sample_graph_path), "--endpoint", "http://127.0.0.1:9/store"])
    assert r.exit_code != 0 and r.output.startswith("Error: cannot reach")


def test_seed_graph_partners_of_xiaohongshu(seed_graph_path):
    """Acceptance on the real pipeline's seed graph (skips while the pipeline is not there)."""
    r = _run("query", str(seed_graph_path), "--preset", "partners-of", "--param", "org=小红书", "--format", "json")
    labels = {b["partnerLabel"]["value"] for b in json.loads(r.output)["results"]["bindings"]}
    assert {"Tmall", "JD.com", "Taobao"} <= labels
