"""notebooks/ecosystem-tour.ipynb executes headless (nbclient, python3 kernel) and is stored without outputs."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "ecosystem-tour.ipynb"


@pytest.mark.parametrize("path", [NOTEBOOK])
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the tour has code cells"
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert dirty == [], f"cells {dirty} hold outputs: strip them before committing (see docs/export.md)"
    assert nb.metadata["kernelspec"]["name"] == "python3"


def _cjk_font_installed() -> bool:
    from matplotlib import font_manager

    return any("CJK" in f.name for f in font_manager.fontManager.ttflist)


@pytest.mark.parametrize("path", [NOTEBOOK])
def test_notebook_uses_to_pandas(path):
    src = "".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert ".to_pandas()" in src and "def table(" not in src


def test_notebook_documented_nbconvert_commands_run(tmp_path):
    """The commands docs/export.md and the notebook name for clearing outputs exist and work."""
    import shutil
    import subprocess
    import sys

    docs = (NOTEBOOK.parent.parent / "docs" / "export.md").read_text(encoding="utf-8")
    assert "jupyter nbconvert --clear-output --inplace notebooks/ecosystem-tour.ipynb" in docs
    copy = tmp_path / "tour.ipynb"
    shutil.copy(NOTEBOOK, copy)
    jupyter = str(Path(sys.executable).parent / "jupyter")
    res = subprocess.run([jupyter, "nbconvert", "--clear-output", "--inplace", str(copy)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert nbformat.read(copy, as_version=4).cells


@pytest.mark.slow
@pytest.mark.parametrize("path", [NOTEBOOK])
def test_notebook_executes(path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    repo = path.parent.parent
    monkeypatch.setenv("KG_REPO_ROOT", str(repo))
    # the kernel imports this checkout's kg, whatever the state of the editable install
    monkeypatch.setenv("PYTHONPATH", str(repo))
    monkeypatch.setenv("KG_TOUR_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    streams = "".join(o.text for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream")
    assert " articles -> " in streams and "\n0 articles" not in "\n" + streams
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type in ("display_data", "execute_result") and "image/png" in o.get("data", {})]
    assert images, "the bar chart of the most connected actors is displayed"
    html = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "text/html" in o.get("data", {}) and "iframe" in o["data"]["text/html"]]
    assert html, "the HTML view is embedded"
    assert (tmp_path / "out" / "graph.html").stat().st_size > 1000
    assert (tmp_path / "out" / "most-connected.png").exists()
    assert (tmp_path / "out" / "metrics-over-time.png").exists()
    if _cjk_font_installed():  # CI installs fonts-noto-cjk: Chinese labels must find their glyphs
        assert "missing from font" not in streams and "no CJK font installed" not in streams
    assert len(images) >= 2, "the metrics-over-time chart is displayed too"
    assert (tmp_path / "out" / "neo4j" / "nodes.csv").exists()
