"""`kg build` and `kg eval` through the real CLI (click's runner and the installed console script)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.util import atomic_write

from conftest import REPO, SEED_DIR

SEED = SEED_DIR / "social-ecommerce-digest-2025.txt"


@pytest.fixture
def runner():
    return CliRunner()


def test_cli_build_writes_graph_and_summary(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(SEED), "-o", str(tmp_path / "out"), "--no-html"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "graph.ttl").stat().st_size > 1000
    assert "Articles: 10" in res.output and "Entities:" in res.output and "Relations:" in res.output
    assert "SHACL violations: 0" in res.output
    assert f"Wrote graph: {tmp_path / 'out' / 'graph.ttl'}" in res.output


def test_cli_build_bad_inputs_reported_others_built(runner, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    res = runner.invoke(cli, ["build", str(bad), str(SEED), str(tmp_path / "missing.md"), "-o", str(tmp_path / "o"),
                              "--no-html", "-q"])
    assert res.exit_code == 1
    errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 2 and str(bad) in errors[0] and "missing.md" in errors[1]
    assert (tmp_path / "o" / "graph.ttl").exists()  # the good input was still built


def test_cli_build_never_replaces_a_graph_with_nothing(runner, tmp_path):
    out = tmp_path / "o"
    out.mkdir()
    (out / "graph.ttl").write_text("# previous graph\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    res = runner.invoke(cli, ["build", str(empty), "-o", str(out), "--no-html"])
    assert res.exit_code == 1 and "nothing written" in res.output
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "# previous graph\n"


def test_atomic_write_keeps_previous_file_on_failure(tmp_path):
    target = tmp_path / "graph.ttl"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as fh:
            fh.write("half of a new graph")
            raise RuntimeError("serializer failed")
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    import os

    umask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.ttl") as fh:
            fh.write("x")
        assert (tmp_path / "new.ttl").stat().st_mode & 0o777 == 0o644
        (tmp_path / "kept.ttl").write_text("old", encoding="utf-8")
        os.chmod(tmp_path / "kept.ttl", 0o640)
        with atomic_write(tmp_path / "kept.ttl") as fh:
            fh.write("new")
        assert (tmp_path / "kept.ttl").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(umask)


def test_cli_eval_table_json_and_verbose(runner):
    gold = str(SEED_DIR / "gold.json")
    res = runner.invoke(cli, ["eval", str(SEED), "--gold", gold])
    assert res.exit_code == 0
    assert res.output.splitlines()[1].startswith("entities (typed)")
    res = runner.invoke(cli, ["eval", str(SEED), "--gold", gold, "--json"])
    data = json.loads(res.output)
    assert set(data) == {"entities", "entities_untyped", "relations", "per_predicate", "metrics"}
    assert data["relations"]["f1"] >= 0.7  # the seed floor of tests/eval/test_eval_floors.py
    res = runner.invoke(cli, ["eval", str(SEED), "--gold", gold, "-v"])
    assert any(ln.startswith(("miss ", "false ")) for ln in res.output.splitlines())


def test_cli_eval_bad_gold(runner, tmp_path):
    bad = tmp_path / "gold.json"
    bad.write_text("{\n  \"entities\": [\n", encoding="utf-8")
    res = runner.invoke(cli, ["eval", str(SEED), "--gold", str(bad)])
    assert res.exit_code == 1
    assert res.output.strip().startswith(f"Error: {bad}:") and "not valid JSON" in res.output


def test_cli_console_script_and_stdin(tmp_path):
    """The installed `kg` command, reading a digest on stdin."""
    exe = Path(sys.executable).with_name("kg")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run([str(exe), "build", "-", "-o", str(tmp_path), "--no-html", "-q"], input=SEED.read_bytes(),
                         capture_output=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr.decode()
    assert (tmp_path / "graph.ttl").exists()


def test_cli_query_people_roles_on_build(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(SEED), "-o", str(tmp_path), "--no-html", "-q"])
    assert res.exit_code == 0
    q = """PREFIX pkg: <https://w3id.org/platform-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?person ?role ?org WHERE { ?st a rdf:Statement ; rdf:subject ?p ; rdf:predicate pkg:worksFor ;
  rdf:object ?o ; pkg:role ?role . ?p rdfs:label ?person . ?o rdfs:label ?org }"""
    res = runner.invoke(cli, ["query", str(tmp_path / "graph.ttl"), q, "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "王微,researcher,市场经济研究所" in res.output.replace("\r", "")


def test_cli_build_unknown_model_is_one_clear_line(runner, tmp_path):
    res = runner.invoke(cli, ["build", str(SEED), "-o", str(tmp_path), "--model", "no_such_pipeline"])
    assert res.exit_code == 1
    assert res.output.strip().splitlines() == [res.output.strip().splitlines()[0]]
    assert "no_such_pipeline" in res.output and "--model" in res.output


def test_cli_build_into_a_store_then_query_it(runner, tmp_path):
    store = tmp_path / "store"
    res = runner.invoke(cli, ["build", str(SEED), "-o", str(tmp_path / "o"), "--no-html", "--store", str(store)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["query", str(store), "--preset", "people-roles", "--format", "csv"])
    assert res.exit_code == 0 and "王微" in res.output


def test_cli_build_json_summary(runner, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": ["a", "list"], "text": "x"}\n', encoding="utf-8")
    res = runner.invoke(cli, ["build", str(SEED), str(bad), "-o", str(tmp_path / "o"), "--no-html", "--json"])
    assert res.exit_code == 1
    data = json.loads(res.stdout)  # stdout is the JSON alone; errors also went to stderr
    assert data["articles"] == 10 and data["triples"] > 100 and data["shacl_violations"] == 0
    assert data["outputs"] == {"graph": str(tmp_path / "o" / "graph.ttl")}
    assert data["errors"] == [f"{bad}:1: 'title' is a list, not a string; line skipped (write \"title\": \"...\")"]
    assert "Error: " + data["errors"][0] in res.stderr.splitlines()
    assert set(data) >= {"entities", "relations", "statements_by_modality", "metrics", "warnings", "skipped"}


def test_cli_progress_plain_lines_when_not_a_terminal():
    """Not on a terminal: one plain line per interval naming the stage and its count."""
    import io
    import time

    from kg.cli.options import Progress

    out = io.StringIO()
    with Progress("kg build", stream=out, interval=0.05) as progress:
        tick = progress.step("extracting", 4000)
        tick(1000)
        time.sleep(0.3)
        progress.step("resolving entities")
        time.sleep(0.3)
    lines = out.getvalue().splitlines()
    assert "kg build: extracting: 1,000/4,000 passages (25%), 0 s" in lines
    assert "kg build: resolving entities, 0 s" in lines
    quiet = io.StringIO()
    with Progress("kg build", stream=quiet, interval=0.05, enabled=False):
        time.sleep(0.2)
    assert quiet.getvalue() == ""


def test_cli_progress_on_a_terminal_is_one_status_line_wiped_for_messages():
    import io
    import time

    from kg.cli.options import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    with Progress("kg build", stream=out, interval=0.05) as progress:
        progress.step("extracting", 10)(3)
        time.sleep(0.3)
        with progress.clear():
            out.write("Error: x\n")
    text = out.getvalue()
    assert "\n" not in text.replace("Error: x\n", "")  # status updates rewrite one line
    assert "\r\x1b[Kkg build: extracting: 3/10 passages (30%), 0 s" in text
    assert "\r\x1b[KError: x\n" in text  # wiped before a message
    assert text.endswith(("Error: x\n", "\r\x1b[K"))  # and never left behind
