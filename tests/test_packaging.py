"""The tool as `pip install` gives it: sdist -> wheel -> fresh venv -> `kg build` outside the checkout.

Built offline with the setuptools of the test venv (PEP 517 hooks called directly, no build isolation).
The fresh venv gets only the wheel; its dependencies come from the test venv's site-packages through a
plain ``.pth`` line (no editable-install hooks are processed from it, so ``import kg`` can only find the
wheel's copy; the test checks that too). That the wheel declares the right dependencies is checked against requirements.in.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, SEED_DIR

RUNTIME_DATA = [  # what the tool reads at run time, relative to the package
    "kg/ontology/platform.ttl", "kg/ontology/shapes.ttl", "kg/ontology/context.jsonld",
    "kg/ontology/reference/entities.json", "kg/ontology/lexicons/relations.json",
    "kg/query/presets/deals.rq",
    "kg/viz/vendor/vis-network/vis-network.min.js", "kg/viz/vendor/vis-network/LICENSE-MIT.txt",
]


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """(sdist, wheel built from the unpacked sdist) -- so the sdist is proven complete too."""
    from setuptools import build_meta

    out = tmp_path_factory.mktemp("dist")
    src = out / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(".venv", ".git", "out", "build", "*.egg-info",
                                                             "__pycache__", ".pytest_cache", ".hypothesis"))
    old = os.getcwd()
    try:
        os.chdir(src)
        sdist = out / build_meta.build_sdist(str(out))
        unpacked = out / "unpacked"
        with tarfile.open(sdist) as tf:
            tf.extractall(unpacked, filter="data")
        (root,) = unpacked.iterdir()
        os.chdir(root)
        wheel = out / build_meta.build_wheel(str(out))
    finally:
        os.chdir(old)
    return sdist, wheel


def test_packaging_wheel_holds_the_runtime_data(dists):
    _, wheel = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [n for n in RUNTIME_DATA if n not in names]
    assert not missing, f"wheel lacks {missing}"
    assert not any(n.startswith(("tests/", "ontology/")) for n in names)
    models = REPO / "kg" / "extract" / "models"
    for f in sorted(models.glob("*.json")) if models.is_dir() else []:
        assert f"kg/extract/models/{f.name}" in names


def test_packaging_wheel_requires_the_runtime_pins(dists):
    """Requires-Dist is exactly the runtime block of requirements.in (the part before the build backend)."""
    runtime = (REPO / "requirements.in").read_text().split("# Runtime\n", 1)[1].split("\n#", 1)[0]
    _, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        requires = {line.split(":", 1)[1].strip() for line in zf.read(meta).decode().splitlines()
                    if line.startswith("Requires-Dist:") and "extra ==" not in line}
    pins = {line.strip() for line in runtime.splitlines() if line.strip()}
    assert requires == pins


@pytest.mark.slow
def test_packaging_fresh_venv_builds_the_bundled_corpus(dists, tmp_path):
    _, wheel = dists
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)  # ensurepip: offline
    py = env_dir / "bin" / "python"
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                    "--disable-pip-version-check", wheel], check=True)
    Path(site, "zz-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    shutil.copytree(SEED_DIR, work / "corpus")
    env = {k: v for k, v in os.environ.items() if k not in ("KG_ONTOLOGY_DIR", "PYTHONPATH")}
    where = subprocess.run([py, "-c", "import kg; print(kg.__file__)"], capture_output=True, text=True,
                           cwd=work, env=env, check=True).stdout
    assert where.startswith(str(env_dir)), where
    res = subprocess.run([env_dir / "bin" / "kg", "build", "corpus", "-o", "out"], capture_output=True,
                         text=True, cwd=work, env=env)
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr
    assert (work / "out" / "graph.ttl").stat().st_size > 10_000


@pytest.mark.parametrize("target", ["demo", "test", "bench", "lock", "install"])
def test_packaging_makefile_target_runs_what_exists(target, tmp_path):
    """Every tool a target calls comes from a lock the same recipe installs; every script is in the repo.

    ``make -n`` on a copy without a venv prints the whole recipe chain a fresh clone would run.
    """
    import re
    from importlib.metadata import entry_points

    for name in ("Makefile", "requirements.lock", "requirements-dev.lock", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    plan = subprocess.run(["make", "-n", target], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    locked = {"platform-kg"} if " -e ." in plan else set()
    for lock in re.findall(r"-r (requirements[\w-]*\.lock)", plan):
        locked |= set(re.findall(r"^([a-z0-9][\w.-]*)==", (REPO / lock).read_text(), re.M))
    provider = {ep.name: ep.dist.name.lower().replace("_", "-") for ep in entry_points(group="console_scripts")}
    for tool in set(re.findall(r"\.venv/bin/([\w.-]+)", plan)) - {"python", "pip"}:
        assert provider.get(tool) in locked, f"make {target} runs {tool}, which no lock it installs provides"
    scripts = re.findall(r"(?<![\w/.])((?:benchmarks|scripts)/[\w/.-]+\.py)", plan)
    assert all((REPO / s).is_file() for s in scripts), scripts
    if target == "demo":
        assert "requirements-dev.lock" not in plan  # the demo installs the tool only
