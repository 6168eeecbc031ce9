"""The vendored renderers (vis-network; sigma.js + graphology for WebGL): the files are the npm
registry's (checksums in each VERSION.md), licensed, and the page needs nothing else -- no pyvis,
IPython or jedi at run time (issue 16: `make demo`'s size)."""
from __future__ import annotations

import hashlib
import re
import subprocess
import sys

import pytest

from conftest import REPO
from kg.errors import OutputError
from kg.viz.page import (GRAPHOLOGY_VERSION, SIGMA_VERSION, VIS_VERSION, WEBGL_ABOVE, WEBGL_ABOVE_EDGES,
                         choose_renderer)

VENDOR = REPO / "kg" / "viz" / "vendor"
FILES = [("vis-network", "vis-network.min.js"), ("vis-network", "vis-network.min.css"),
         ("sigma", "sigma.min.js"), ("graphology", "graphology.umd.min.js")]


def _note(package: str) -> str:
    return (VENDOR / package / "VERSION.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("package,name", FILES)
def test_viz_vendor_file_has_the_checksum_its_note_states(package, name):
    stated = re.search(rf"`{re.escape(name)}`.*?sha256 `([0-9a-f]{{64}})`", _note(package), re.S)
    assert stated, f"{package}/VERSION.md states no sha256 for {name}"
    assert hashlib.sha256((VENDOR / package / name).read_bytes()).hexdigest() == stated.group(1)


@pytest.mark.parametrize("package,version,licences", [
    ("vis-network", VIS_VERSION, ["LICENSE-MIT.txt", "LICENSE-APACHE-2.0.txt"]),
    ("sigma", SIGMA_VERSION, ["LICENSE.txt"]),
    ("graphology", GRAPHOLOGY_VERSION, ["LICENSE.txt"]),
])
def test_viz_vendor_version_and_licences(package, version, licences):
    assert _note(package).startswith(f"# {package} {version} (vendored)")
    assert f"`{package}@{version}`" in _note(package)
    for name in licences:
        text = (VENDOR / package / name).read_text(encoding="utf-8")
        assert "Permission is hereby granted" in text or "Apache License" in text


def test_viz_vendor_vis_file_is_the_version_named():
    head = (VENDOR / "vis-network" / "vis-network.min.js").read_text(encoding="utf-8")[:600]
    assert f"@version {VIS_VERSION}" in head


@pytest.mark.parametrize("asked,entities,edges,used", [
    ("auto", WEBGL_ABOVE, WEBGL_ABOVE_EDGES, "canvas"), ("auto", WEBGL_ABOVE + 1, 0, "webgl"),
    ("auto", 100, WEBGL_ABOVE_EDGES + 1, "webgl"), ("auto", 0, 0, "canvas"),
    ("canvas", 30_000, 100_000, "canvas"), ("webgl", 9, 9, "webgl"),
])
def test_viz_vendor_renderer_choice(asked, entities, edges, used):
    assert choose_renderer(asked, entities, edges) == used


def test_viz_vendor_unknown_renderer_is_a_clear_error():
    with pytest.raises(OutputError, match="unknown renderer 'svg'"):
        choose_renderer("svg", 10)


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
