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


def test_seed_graph_facts_about_tiktok(seed_graph_path):
    """A preset on the real pipeline's seed graph: TikTok's purchase of Tokopedia, with evidence."""
    r = _run("query", str(seed_graph_path), "--preset", "facts-about", "--param", "org=TikTok", "--format", "json")
    rows = json.loads(r.output)["results"]["bindings"]
    assert ("acquiredStakeIn", "Tokopedia") in {(b["relation"]["value"], b["objectLabel"]["value"]) for b in rows}
    assert all(b["evidence"]["value"] for b in rows)


def test_query_pages_with_limit_and_offset(sample_graph_path):
    """--limit/--offset page through a preset: consecutive pages are the whole answer, a full page
    says where the next one starts, and a query with several LIMITs is refused in one line."""
    def rows(*extra):
        r = CliRunner().invoke(cli, ["query", str(sample_graph_path), "--preset", "facts-about", "--param",
                                     "org=Xiaohongshu", "--format", "csv", *extra])
        assert r.exit_code == 0, r.output
        return r.stdout.splitlines()[1:], r.stderr

    whole, _ = rows("--limit", "100000")
    assert len(whole) > 4
    first, warning = rows("--limit", "3")
    assert len(first) == 3 and "next page: offset 3" in warning
    pages, offset = [], 0
    while True:
        page, _ = rows("--limit", "3", "--offset", str(offset))
        pages += page
        if len(page) < 3:
            break
        offset += 3
    assert sorted(pages) == sorted(whole)
    r = _run("query", str(sample_graph_path), "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 } } LIMIT 1",
             "--limit", "5")
    assert r.exit_code != 0 and "2 LIMIT clauses" in r.output and len(r.output.strip().splitlines()) == 1
