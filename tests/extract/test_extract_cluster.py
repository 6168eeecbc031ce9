"""Extraction on a real Dask LocalCluster of two worker processes (``kg build --dask``): the graph
of a serial build, and a shard whose worker dies is run again on another."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

from conftest import DEV_DIR, SEED_DIR

distributed = pytest.importorskip("distributed", reason="the dask extra (in the dev lock)")

CORPUS = [SEED_DIR / "social-ecommerce-digest-2025.txt", DEV_DIR / "articles.txt"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


def test_dask_build_writes_the_graph_of_a_serial_build(cluster, tmp_path):
    serial, dask = tmp_path / "serial", tmp_path / "dask"
    res = CliRunner().invoke(cli, ["build", *map(str, CORPUS), "-o", str(serial), "--no-html", "-q",
                                   "--workers", "1"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli, ["build", *map(str, CORPUS), "-o", str(dask), "--no-html", "-q",
                                   "--dask", cluster.scheduler_address])
    assert res.exit_code == 0, res.output
    assert (dask / "graph.ttl").read_bytes() == (serial / "graph.ttl").read_bytes()


def _dies_once(articles, names, phase, *, marker: str):
    """A shard task whose worker process dies the first time it runs (as if killed by the kernel)."""
    from kg.extract.shards import run_shard

    if not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os._exit(1)
    return run_shard(articles, names, phase)


def test_a_shard_whose_worker_dies_is_run_again(cluster, tmp_path, nlp):
    import functools

    import cloudpickle

    from kg.extract.cluster import DaskRunner
    from kg.extract.pipeline import _extract_pass
    from kg.ingest import read_inputs

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module
    articles, _ = read_inputs([str(DEV_DIR / "articles.txt")])
    marker = tmp_path / "died"
    with DaskRunner(cluster.scheduler_address) as runner:
        results = dict(runner.map(functools.partial(_dies_once, marker=str(marker)), [(articles,)], (None, "t")))
        records, errors, where = results[0]
    assert marker.exists() and errors == [] and where.startswith("tcp://")
    expected = _extract_pass(nlp, articles)
    assert [ex.mentions for _, ex in records] == [ex.mentions for ex in expected]
    with pytest.raises(ProcessLookupError):  # the first worker really died
        os.kill(int(marker.read_text()), 0)


def test_unreachable_scheduler_is_one_line(tmp_path):
    res = CliRunner().invoke(cli, ["build", str(CORPUS[0]), "-o", str(tmp_path), "--no-html", "-q",
                                   "--dask", "tcp://127.0.0.1:9"])
    assert res.exit_code == 1
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in res.output
    assert not (tmp_path / "graph.ttl").exists()
