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
