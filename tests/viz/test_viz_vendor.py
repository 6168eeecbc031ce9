"""The vendored vis-network: the files are the npm registry's (checksums in VERSION.md), licensed, and
the page needs nothing else -- no pyvis, IPython or jedi at run time (issue 16: `make demo`'s size)."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import pytest

from conftest import REPO
from kg.viz.page import VIS_VERSION

VENDOR = REPO / "kg" / "viz" / "vendor" / "vis-network"
NOTE = (VENDOR / "VERSION.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["vis-network.min.js", "vis-network.min.css"])
def test_viz_vendor_file_has_the_checksum_its_note_states(name):
    stated = re.search(rf"`{re.escape(name)}`.*?sha256 `([0-9a-f]{{64}})`", NOTE, re.S)
    assert stated, f"VERSION.md states no sha256 for {name}"
    assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == stated.group(1)


def test_viz_vendor_version_and_licences():
    head = (VENDOR / "vis-network.min.js").read_text(encoding="utf-8")[:600]
    assert f"@version {VIS_VERSION}" in head and f"vis-network {VIS_VERSION}" in NOTE
    assert "Permission is hereby granted" in (VENDOR / "LICENSE-MIT.txt").read_text(encoding="utf-8")
    assert "Apache License" in (VENDOR / "LICENSE-APACHE-2.0.txt").read_text(encoding="utf-8")


def test_viz_vendor_page_renders_without_pyvis_or_ipython(sample_graph_path):
    code = ("import sys; from rdflib import Graph; from kg.viz import render_html; "
            f"html, _ = render_html(Graph().parse({str(sample_graph_path)!r})); "
            f"assert '@version {VIS_VERSION}' in html; "
            "print(sorted(m for m in ('pyvis', 'IPython', 'jedi') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_viz_vendor_runtime_lock_has_no_notebook_packages():
    """`make demo` installs requirements.lock only; pyvis and IPython belong to the dev lock."""
    pinned = set(re.findall(r"^([a-z0-9][a-z0-9._-]*)==", (REPO / "requirements.lock").read_text(), re.M))
    assert {"spacy", "rdflib", "jinja2"} <= pinned          # jinja2 renders the page (it comes with spaCy)
    assert not pinned & {"pyvis", "ipython", "jedi", "jsonpickle"}
