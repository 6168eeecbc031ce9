"""Docs stay honest: every command has help with an example and is covered by the README."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg.cli import COMMANDS, cli

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_docs_command_has_help_with_example(name):
    res = CliRunner().invoke(cli, [name, "--help"])
    assert res.exit_code == 0, res.output
    assert "Example" in res.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_docs_readme_mentions_command(name):
    assert f"kg {name}" in README


def test_docs_readme_has_the_two_setup_commands():
    assert "make demo" in README and "make test" in README


def test_docs_help_is_instant_without_heavy_imports():
    import subprocess
    import sys

    code = "import sys, kg.cli; kg.cli.main(['--help']) if False else None; print('spacy' in sys.modules, 'pyvis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO).stdout.strip()
    assert out == "False False"


# ---------------------------------------------------------------- documented outputs are real
#
# Every fenced block in README.md and docs/*.md whose lines start with "$ " is re-run in a folder
# holding what the docs assume (out/ built from data/, the planted bad.ttl), and its output must
# match what the page shows. Refresh the pages after an intended change with
#     KG_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/test_docs.py -k documented
import os
import re
import subprocess
from pathlib import Path

DOC_PAGES = ["README.md", *sorted(f"docs/{p.name}" for p in (REPO / "docs").glob("*.md"))]
NOT_RERUN = ("kg serve",)  # a server: it does not end; docs/query.md shows its first lines only
_VOLATILE = [(re.compile(r"\bin \d+(\.\d+)? s\b"), "in N s")]  # timings


def _normalise(text: str) -> str:
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def _matches(got: str, shown: str) -> bool:
    """Equal after normalising; a documented line holding only ``...`` stands for any lines."""
    parts = [re.escape(p) for p in re.split(r"(?m)^\.\.\.$", _normalise(shown))]
    return re.fullmatch("(?s)" + ".*?".join(parts), _normalise(got)) is not None


def documented_runs(page: str) -> list[tuple[int, str, str]]:
    """(line of the command, command, documented output) for each '$ ' line of the page's fences."""
    lines = (REPO / page).read_text(encoding="utf-8").split("\n")
    out, in_fence, current = [], False, None
    for n, line in enumerate(lines, start=1):
        if line.startswith("```"):
            if in_fence and current:
                out.append(current)
            in_fence, current = not in_fence, None
            continue
        if not in_fence:
            continue
        if line.startswith("$ "):
            if current:
                out.append(current)
            current = (n, line[2:].split("   #")[0].strip(), [])
        elif current:
            current[2].append(line)
    return [(n, cmd, "\n".join(body)) for n, cmd, body in out if not cmd.startswith(NOT_RERUN)]


RUNS = [(page, n, cmd, shown) for page in DOC_PAGES for n, cmd, shown in documented_runs(page)]


@pytest.fixture(scope="module")
def doc_workdir(tmp_path_factory, sample_graph_path):
    """What the documented commands assume: out/graph.ttl built from data/ by `kg build data/ -o out/`,
    data/ and tests/data/seed/ as in the checkout, bad.ttl with the two planted violations."""
    import shutil

    from rdflib import Graph, Literal

    from kg.rdf.namespace import ENT, PKG

    import sys

    work = tmp_path_factory.mktemp("docs")
    shutil.copytree(REPO / "data", work / "data")
    shutil.copytree(REPO / "tests" / "data" / "seed", work / "tests" / "data" / "seed")
    # exactly what `make demo` runs, so that source paths in the outputs read data/...
    kg = str(Path(sys.executable).parent / "kg")
    subprocess.run([kg, "build", "data/", "-o", "out/", "--no-html", "-q"], cwd=work, check=True,
                   capture_output=True)
    bad = Graph().parse(sample_graph_path)
    bad.add((ENT["place/indonesia"], PKG.worksFor, ENT["org/tmall"]))
    bad.add((ENT["metric/m1"], PKG.unit, Literal("dollars")))
    bad.serialize(work / "bad.ttl", format="turtle")
    return work


@pytest.mark.slow
@pytest.mark.parametrize("page, line, command, shown", RUNS, ids=[f"{p}:{n}" for p, n, _, _ in RUNS])
def test_docs_documented_output_is_what_the_command_prints(doc_workdir, page, line, command, shown):
    import sys

    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "COLUMNS": "200"}
    env.pop("KG_REFERENCE", None)
    res = subprocess.run(["bash", "-c", command], cwd=doc_workdir, capture_output=True, text=True,
                         env=env, timeout=600)
    got = res.stdout + res.stderr  # a page shows the warnings and errors after the output
    if os.environ.get("KG_UPDATE_DOCS") and not _matches(got, shown):
        path = REPO / page
        text = path.read_text(encoding="utf-8")
        old = f"$ {command}\n{shown}" if shown else f"$ {command}"
        text = text.replace(old.rstrip("\n"), f"$ {command}\n{got.rstrip()}", 1)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"updated {page}:{line}")
    assert _matches(got, shown), (f"{page}:{line}: `{command}` prints something else now:\n{got}\n"
                                  f"(KG_UPDATE_DOCS=1 refreshes the page)")
