"""The query pool of kg serve: one snapshot for all workers after kg load, and the expensive-query
lane that keeps a slow query from starving cheap ones (issue 12 items 9 and 11)."""
from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.server.pool import QueryPool

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
EXTRA = """@prefix ex: <http://example.org/> .
ex:a ex:p ex:b . ex:b ex:p ex:c . ex:c ex:p ex:d .
"""


def _count(pool) -> int:
    import json

    ans = pool.run(COUNT, None, ["json"])
    assert ans.status == 200, ans.body
    return int(json.loads(ans.body)["results"]["bindings"][0]["n"]["value"])


def test_all_workers_switch_to_the_new_data_together(tmp_path, sample_graph_path):
    store = tmp_path / "store"
    assert CliRunner().invoke(cli, ["load", str(sample_graph_path), "--store", str(store)]).exit_code == 0
    pool = QueryPool(str(store), workers=2, timeout=10.0, watch_every=0.2)
    try:
        before = _count(pool)
        extra = tmp_path / "extra.ttl"
        extra.write_text(EXTRA, encoding="utf-8")
        r = CliRunner().invoke(cli, ["load", str(extra), "--store", str(store)])
        assert r.exit_code == 0, r.output
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen.append(_count(pool))
            if seen[-1] != before and len(seen) > 5 and seen[-5:] == [seen[-1]] * 5:
                break
            time.sleep(0.05)
        after = seen[-1]
        assert after == before + 3
        # never back to the old snapshot once the new one answered
        first_new = seen.index(after)
        assert all(n == after for n in seen[first_new:]), seen
        assert set(seen) <= {before, after}
    finally:
        pool.close()


def test_an_expensive_query_cannot_starve_cheap_ones(sample_graph_path):
    pool = QueryPool(str(sample_graph_path), workers=2, timeout=3.0, max_wait=3.0)
    try:
        assert pool.run(SLOW, None, ["json"]).status == 503  # over the limit: now known as expensive
        slow_answers = []
        threads = [threading.Thread(target=lambda: slow_answers.append(pool.run(SLOW, None, ["json"])))
                   for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        waits = []
        for _ in range(5):
            t0 = time.monotonic()
            assert pool.run("ASK { ?s ?p ?o }", None, ["json"]).status == 200
            waits.append(time.monotonic() - t0)
        for t in threads:
            t.join()
        # cheap queries did not wait for the 3 s expensive ones (the lane leaves one worker free)
        assert max(waits) < 2.5, waits
        assert [a.status for a in slow_answers] == [503, 503]
    finally:
        pool.close()


@pytest.mark.parametrize("workers", [1])
def test_one_worker_still_answers_after_a_timeout(sample_graph_path, workers):
    pool = QueryPool(str(sample_graph_path), workers=workers, timeout=2.0)
    try:
        assert pool.run(SLOW, None, ["json"]).status == 503
        t0 = time.monotonic()
        while pool.run("ASK { ?s ?p ?o }", None, ["json"]).status != 200:
            assert time.monotonic() - t0 < 60
    finally:
        pool.close()
