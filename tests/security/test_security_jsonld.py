"""Issue 12 item 2: a JSON-LD input whose @context is a URL is never fetched, by any command.

A real listener on 127.0.0.1 stands behind the URL and must see zero connections; each command
ends with one clear error line.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli

from security_support import listener  # noqa: F401 - a fixture

DOCS = {
    "string": lambda url: {"@context": f"{url}/context.jsonld", "@id": "http://example.org/a", "name": "A"},
    "list": lambda url: {"@context": [f"{url}/c1", {"n": "http://example.org/n"}],
                         "@id": "http://example.org/a", "n": "A"},
    "import": lambda url: {"@context": {"@version": 1.1, "@import": f"{url}/c2"}, "@id": "http://example.org/a"},
    "nested": lambda url: {"@context": {"n": "http://example.org/n"}, "@id": "http://example.org/a",
                           "n": {"@context": f"{url}/c3", "@id": "http://example.org/b"}},
    "protocol-relative": lambda url: {"@context": url.replace("http:", "") + "/c4", "@id": "http://example.org/a"},
}
COMMANDS = {
    "query-rdflib": lambda f, tmp: ["query", f, "SELECT * WHERE { ?s ?p ?o }", "--engine", "rdflib"],
    "query-oxigraph": lambda f, tmp: ["query", f, "SELECT * WHERE { ?s ?p ?o }"],
    "export": lambda f, tmp: ["export", f, "--format", "nt", "-o", str(tmp / "out.nt")],
    "viz": lambda f, tmp: ["viz", f, "-o", str(tmp / "out.html")],
    "stats": lambda f, tmp: ["stats", f],
    "validate": lambda f, tmp: ["validate", f],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("doc", sorted(DOCS))
def test_remote_context_is_never_fetched(tmp_path, listener, command, doc):
    path = tmp_path / "remote-context.jsonld"
    path.write_text(json.dumps(DOCS[doc](listener.url)), encoding="utf-8")
    r = CliRunner().invoke(cli, COMMANDS[command](str(path), tmp_path), catch_exceptions=False)
    assert listener.connections == 0
    assert r.exit_code != 0, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and str(path) in lines[0], r.output
    assert "context" in lines[0].lower()


def test_inline_context_still_loads(tmp_path):
    path = tmp_path / "inline.jsonld"
    path.write_text(json.dumps({"@context": {"n": "http://example.org/n"}, "@id": "http://example.org/a", "n": "A"}),
                    encoding="utf-8")
    r = CliRunner().invoke(cli, ["query", str(path), "SELECT ?o WHERE { ?s ?p ?o }", "--engine", "rdflib"],
                           catch_exceptions=False)
    assert r.exit_code == 0 and "A" in r.output
