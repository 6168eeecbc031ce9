"""The query pool of kg serve: one snapshot for all workers after kg load, the expensive-query
lane that keeps a slow query from starving cheap ones, and the answer cache (issue 12 items 9 and 11)."""
from __future__ import annotations

import threading
import time

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.server.pool import QueryPool

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
# the same product, but with a FILTER the pre-check leaves alone: found out by its CPU time instead
SLOW_UNSEEN = SLOW.replace(" }", " FILTER(?a != ?m) }")
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


def _cheap_pids(pool) -> set[int]:
    return {w.proc.pid for w in pool._all if w.lane == "cheap"}


def test_a_cartesian_product_goes_straight_to_the_expensive_lane(sample_graph_path):
    pool = QueryPool(str(sample_graph_path), workers=1, timeout=2.0)
    try:
        cheap = _cheap_pids(pool)
        ans = pool.run(SLOW, None, ["json"])
        assert ans.status == 503 and b"2 s time limit" in ans.body
        assert _cheap_pids(pool) == cheap  # the cheap-lane worker never ran it
        assert pool.run("ASK { ?s ?p ?o }", None, ["json"]).status == 200
    finally:
        pool.close()


def test_a_query_over_its_cpu_budget_moves_to_the_expensive_lane(sample_graph_path):
    pool = QueryPool(str(sample_graph_path), workers=1, timeout=4.0, cheap_cpu=0.5)
    try:
        cheap = _cheap_pids(pool)
        ans = pool.run(SLOW_UNSEEN, None, ["json"])
        assert ans.status == 503 and b"4 s time limit" in ans.body
        assert SLOW_UNSEEN.strip() in pool._slow  # expensive from now on
        deadline = time.monotonic() + 60
        while not _cheap_pids(pool) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _cheap_pids(pool) and not _cheap_pids(pool) & cheap  # a fresh worker took its place
        assert pool.run("ASK { ?s ?p ?o }", None, ["json"]).status == 200
    finally:
        pool.close()


def test_answers_are_cached_for_the_snapshot_only_when_asked(sample_graph_path):
    pool = QueryPool(str(sample_graph_path), workers=1, cache_mb=1)
    bare = QueryPool(str(sample_graph_path), workers=1, cache_mb=0)
    try:
        a, b = pool.run(COUNT, None, ["json"]), pool.run(COUNT, None, ["json"])
        assert a.status == 200 and b is a
        assert pool.run(COUNT, None, ["csv"]) is not a  # formats are part of the key
        c, d = bare.run(COUNT, None, ["json"]), bare.run(COUNT, None, ["json"])
        assert c.body == d.body == a.body and c is not d
    finally:
        pool.close()
        bare.close()


@pytest.mark.parametrize("slow", [SLOW, SLOW_UNSEEN], ids=["pre-checked", "found-by-cpu-time"])
def test_an_expensive_query_cannot_starve_cheap_ones(sample_graph_path, slow):
    pool = QueryPool(str(sample_graph_path), workers=2, timeout=3.0, max_wait=3.0)
    try:
        assert pool.run(slow, None, ["json"]).status == 503  # over the limit: now known as expensive
        slow_answers = []
        threads = [threading.Thread(target=lambda: slow_answers.append(pool.run(slow, None, ["json"])))
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
        # cheap queries did not wait for the 3 s expensive ones (they run in their own lane)
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
