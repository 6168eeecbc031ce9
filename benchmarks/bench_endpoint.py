"""Endpoint benchmark: ``kg serve`` and ``oxigraph serve-read-only`` side by side, same store, same queries.

    python benchmarks/bench_endpoint.py --small 100000,1000000 --big 1000000   # the defaults
    python benchmarks/bench_endpoint.py --big 0                                # part 1 only

1. On each ``--small`` store (100k and 1M triples by default, one after the other): req/s, p50 and
   p99 of both servers at 1 / 8 / 32 keep-alive clients (each for ``--seconds``), every preset with
   its benchmark parameters in turn, and the ratio kg serve / Oxigraph (issue 16: >= 0.7x at 1
   client, >= 0.5x at 32, on the 100k and the 1M store). The 1M store is kept for part 2. Both servers run at once
   and take turns (``--rounds`` turns each), so that another program's load falls on both alike;
   the CPU time each server's processes spend per request is printed too (what an answer costs,
   whatever else the machine does) with its ratio (Oxigraph's / kg serve's).
2. On the ``--big`` store: 32 preset clients for ``--stress-seconds`` plus 2 clients sending
   pathological queries (a sort of a cartesian product, a count of one) without pause: the preset
   clients' errors, p50 and p99, and the peak resident memory of each server's process tree
   (issue 12: 0 errors for the preset clients, p99 <= 500 ms on an idle machine, RSS bounded).
   Each preset client sends the presets in turn with parameters drawn (seeded, ``--seed``) the way
   users might: an organisation among the 300 most mentioned by the synthetic news' own popularity
   law, a class, a 7-day window (:func:`stress_params`); about 4,800 distinct texts are planned, and
   the run prints the share of requests that repeat a text already answered (what an answer cache
   can serve). kg serve runs twice here: without its answer cache (every query answered afresh, as
   Oxigraph does) and as it starts by default (answers kept until the data changes).
   ``--stress-only`` runs this part alone (``--store DIR`` on a store you already have).

Both servers get the same text: each preset with its parameters already bound (kg's own binding,
run once here) and the project prefixes declared, so neither does work the other skips. Both
run as their own processes (kg serve: ``kg serve --workers 2 --timeout 10``, in part 1 with
``--cache-mb 0``; Oxigraph:
``--union-default-graph --timeout-s 10``); the clients are threads of this process, the same
for both. The machine's load average is printed with the figures: ratios matter, not times.
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_query import PARAMS, generate, pct  # noqa: E402

BIN = Path(sys.executable).parent
PATHOLOGICAL = [
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
]


def bound_queries(store_dir: Path) -> list[str]:
    """Every preset with each benchmark parameter set bound as kg binds it, prefixes declared."""
    from kg.query import presets
    from kg.query.engine import OxigraphEngine
    from kg.query.params import resolve
    from kg.query.presets import parse_header
    from kg.query.sparql import bind_values, inline_values
    from kg.rdf.namespace import PREFIXES
    from kg.store import open_source

    engine = OxigraphEngine(open_source(store_dir))
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    out = []
    for name, preset in presets().items():
        for params in PARAMS.get(name, [{}]):
            bindings, _ = resolve(engine, parse_header(preset.text, name), params)
            text = (inline_values(preset.text, bindings) or bind_values(preset.text, bindings)) if bindings \
                else preset.text
            out.append(prologue + text)
    del engine
    return out


STRESS_ORGS = 300  # the organisations the stress run's preset clients ask about (by popularity)
STRESS_TYPES = ("Company", "Platform", "Association", "MediaOutlet", "Person", "Product", "GovernmentBody",
                "Law", "Country")


def stress_params(rng, name: str, popularity: list[float]) -> dict:
    """The parameters a user might send with preset ``name``: an organisation drawn by popularity
    among the :data:`STRESS_ORGS` most mentioned ones (``popularity``: cumulative weights), a class
    for ``entities-by-type``, a 7-day window between 2019 and 2025 for ``what-changed``; parameters
    with a default (``hops``) are left to the preset, as the query page leaves them."""
    import bisect
    import datetime

    if name == "entities-by-type":
        return {"type": rng.choice(STRESS_TYPES)}
    if name == "what-changed":
        day = datetime.date(2019, 1, 1) + datetime.timedelta(rng.randrange(7 * 365))
        return {"from": day.isoformat(), "to": (day + datetime.timedelta(6)).isoformat()}
    return {"org": f"Org {bisect.bisect_left(popularity, rng.random() * popularity[-1])}"}


def stress_plans(store_dir: Path, clients: int, seed: int, per_client: int = 1500) -> list[list[tuple[str, str]]]:
    """Each preset client's requests, seeded: the presets in turn (client ``i`` starts at the
    ``i``-th), each with parameters from :func:`stress_params`, bound as kg binds them (organisation
    labels resolved once, through kg's own lookup) and the project prefixes declared. More requests
    than a client can send in the run, so that no client starts over."""
    import random
    from itertools import accumulate

    from make_synthetic import ZIPF_Q

    from kg.query import presets
    from kg.query.engine import OxigraphEngine
    from kg.query.params import find_entities, resolve
    from kg.query.presets import parse_header
    from kg.query.sparql import bind_values, inline_values
    from kg.rdf.namespace import PREFIXES
    from kg.store import open_source

    engine = OxigraphEngine(open_source(store_dir))
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    names, iris, texts = list(presets()), {}, {}
    # the synthetic news' own popularity law, w(k) = 1 / (k + 5): rank 1 is about 4 % of the draws
    popularity = list(accumulate(1 / (k + ZIPF_Q) for k in range(1, STRESS_ORGS + 1)))
    plans = []
    for i in range(clients):
        rng, plan = random.Random(seed * 1000 + i), []
        for k in range(per_client):
            name = names[(i + k) % len(names)]
            params = stress_params(rng, name, popularity)
            if "org" in params:  # the label's lookup once per organisation: the same IRI kg binds
                org = params["org"]
                if org not in iris:
                    found = find_entities(engine, org)
                    iris[org] = f"<{found[0]}>" if len(found) == 1 else org
                params = {**params, "org": iris[org]}
            key = (name, tuple(sorted(params.items())))
            if key not in texts:
                preset = presets()[name]
                bindings, _ = resolve(engine, parse_header(preset.text, name), params)
                texts[key] = prologue + (inline_values(preset.text, bindings) or bind_values(preset.text, bindings))
            plan.append((name, texts[key]))
        plans.append(plan)
    del engine
    return plans


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, store_dir: Path) -> tuple[subprocess.Popen, int]:
    """``kind``: "kg" (kg serve without its answer cache, so that it answers every query afresh
    as Oxigraph does), "kg-cached" (kg serve as it starts by default) or "oxigraph"."""
    port = free_port()
    if kind.startswith("kg"):
        cmd = [str(BIN / "kg"), "serve", str(store_dir), "--port", str(port), "--workers", "2", "--timeout", "10",
               "--max-memory", "1500"] + (["--cache-mb", "0"] if kind == "kg" else [])
    else:
        cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store_dir), "--bind",
               f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "10"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 180
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }"),
                      headers={"Accept": "application/sparql-results+json"})
            if c.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"{kind} server did not start")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM first: kg serve then stops its query workers (a SIGKILL would leave a worker that is
    busy with a pathological query running on its own)."""
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def tree(pid: int) -> list[int]:
    """A process and its children, theirs, and so on."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(x) for x in fh.read().split()]
        except OSError:
            pass
    return out


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB)."""
    from kg.query.isolated import rss_mb

    return sum(rss_mb(p) for p in tree(pid))


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its children (all their threads)."""
    from kg.query.isolated import cpu_seconds

    return sum(cpu_seconds(p) for p in tree(pid))


def drive(port: int, queries: list[str], clients: int, seconds: float, bad_clients: int = 0, pid: int = 0,
          plans: list[list[tuple[str, str]]] | None = None, lat_out: list | None = None,
          resume: list[int] | None = None):
    """Keep-alive POST clients; returns (req/s, p50 ms, p99 ms, requests, errors, bad answers, peak RSS MB,
    detail). Without ``plans`` client ``i`` sends ``queries`` in turn from the ``i``-th; with them it
    sends ``plans[i]`` (``(label, text)`` pairs) in order, and ``detail`` has the share of requests
    that repeat a text already answered in this run (``repeats``: what an answer cache can serve)
    and each label's latencies (``by_label``). The latencies (ms) are also added to ``lat_out``
    when given. ``resume``: where each client starts in ``queries`` (updated in place to where it
    stopped), so that several short runs go through the list as one long run does."""
    lat, errors, bad_done, lock = [], [], [], threading.Lock()
    peak = [0.0]
    answered, repeats, by_label = set(), [0], {}
    end = time.monotonic() + seconds

    def one(conn, text):
        body = urllib.parse.urlencode({"query": text})
        conn.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded",
                                               "Accept": "application/sparql-results+json"})
        r = conn.getresponse()
        body = r.read()
        return r.status if r.status == 200 else f"{r.status} {body.decode('utf-8', 'replace').strip()[:70]}"

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        k = (resume[i] if resume else i) if plans is None else 0
        while time.monotonic() < end:
            if plans is None:
                label, text = "", queries[k % len(queries)]
            else:
                label, text = plans[i][k % len(plans[i])]
            k += 1
            with lock:
                repeated = text in answered
            t = time.perf_counter()
            try:
                status = one(conn, text)
            except Exception as e:  # noqa: BLE001
                status = repr(e)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                by_label.setdefault(label, []).append(ms)
                repeats[0] += repeated
                if status != 200:
                    errors.append(status)
                else:
                    answered.add(text)
        conn.close()
        if resume is not None:
            resume[i] = k

    def bad(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < end:
            try:
                status = one(conn, PATHOLOGICAL[i % len(PATHOLOGICAL)])
            except Exception as e:  # noqa: BLE001
                status = type(e).__name__
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            bad_done.append(status)

    def watch():
        while time.monotonic() < end:
            peak[0] = max(peak[0], tree_rss_mb(pid))
            time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    threads += [threading.Thread(target=bad, args=(i,), daemon=True) for i in range(bad_clients)]
    if pid:
        threads.append(threading.Thread(target=watch, daemon=True))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads[:clients]:
        t.join()
    wall = time.perf_counter() - t0
    from collections import Counter

    bad = ", ".join(f"{n} x {k}" for k, n in sorted(Counter(map(str, bad_done)).items()))
    detail = {"repeats": repeats[0] / max(1, len(lat)), "by_label": by_label}
    if lat_out is not None:
        lat_out += lat
    return len(lat) / wall, pct(lat, 50), pct(lat, 99), len(lat), errors, bad or "none", peak[0], detail


def compare(servers: dict, queries: list[str], clients: int, seconds: float, rounds: int) -> dict:
    """Both servers (already running) driven in turns: ``rounds`` rounds of ``seconds / rounds``
    each, the first server first in even rounds and second in odd ones, so that a change in the
    machine's load falls on both alike; each client goes on through the queries where it stopped in
    the server's previous round (a round restarting the list would weigh the first queries more for
    the slower server: at 1M triples a 2 s round is not even two passes). Per server: req/s, p50,
    p99, errors, the CPU time of its process tree per request (ms: what an answer costs, whatever
    else the machine is doing) and its req/s in each round."""
    out = {k: {"lat": [], "errors": 0, "n": 0, "wall": 0.0, "cpu": 0.0, "rounds": [],
               "resume": list(range(clients))} for k in servers}
    for kind, (proc, port) in servers.items():
        drive(port, queries, clients, 2.0)  # warm-up
    for r in range(rounds):
        for kind in (list(servers) if r % 2 == 0 else list(servers)[::-1]):
            proc, port = servers[kind]
            acc = out[kind]
            cpu0 = tree_cpu(proc.pid)
            rps, _, _, n, errors, *_ = drive(port, queries, clients, seconds / rounds, lat_out=acc["lat"],
                                             resume=acc["resume"])
            acc["cpu"] += tree_cpu(proc.pid) - cpu0
            acc["n"] += n
            acc["wall"] += n / rps if rps else seconds / rounds
            acc["errors"] += len(errors)
            acc["rounds"].append(rps)
    for acc in out.values():
        acc["rps"] = acc["n"] / acc["wall"] if acc["wall"] else 0.0
        acc["p50"], acc["p99"] = pct(acc["lat"], 50), pct(acc["lat"], 99)
        acc["cpu_ms"] = acc["cpu"] / max(1, acc["n"]) * 1000
    return out


def make_store(tmp: Path, triples: int, name: str) -> Path:
    from kg.store import load_files

    data = tmp / f"{name}.nt"
    generate(triples, data)
    store = tmp / name
    load_files([data], store)
    data.unlink()
    return store


def loadavg() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def stress(tmp: Path, args, store: Path | None = None) -> None:
    """Part 2: 32 preset clients with varied parameters (:func:`stress_plans`) plus 2 pathological
    clients against kg serve without and with its answer cache, and against Oxigraph, one after
    another on the same store with the same request sequences."""
    where = f"store {args.store}" if args.store else f"{args.big} triples"
    print(f"\n== {where}: 32 preset clients + 2 pathological clients for {args.stress_seconds:g} s; {loadavg()}")
    store = args.store or store or make_store(tmp, args.big, "big")
    t = time.perf_counter()
    plans = stress_plans(store, 32, args.seed)
    texts = {text for plan in plans for _, text in plan}
    print(f"preset clients: the {len({n for n, _ in plans[0]})} presets in turn, each with "
          f"parameters drawn (seed {args.seed}) among the {STRESS_ORGS} most mentioned organisations by "
          f"popularity, 9 classes, 7-day windows of 2019-2025: {len(texts)} distinct bound texts planned "
          f"({time.perf_counter() - t:.0f} s to bind); the same sequences to every server")
    for kind in ("kg", "kg-cached", "oxigraph"):
        proc, port = start(kind, store)
        try:
            rps, p50, p99, n, errors, bad, peak, detail = drive(port, [], 32, args.stress_seconds, 2, proc.pid, plans)
        finally:
            stop(proc)
        name = {"kg": "kg serve --cache-mb 0", "kg-cached": "kg serve (answer cache)",
                "oxigraph": "oxigraph serve-read-only"}[kind]
        slow = sorted(((pct(v, 99), k) for k, v in detail["by_label"].items()), reverse=True)[:4]
        print(f"{name:<25} presets: {n} requests, {rps:.1f} req/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
              f"errors {len(errors)}" + (f" {sorted(set(map(str, errors)))[:4]}" if errors else "")
              + f"; {100 * detail['repeats']:.0f} % repeat a text answered earlier in the run"
              + f"; pathological answers: {bad}; peak RSS {peak:.0f} MB; {loadavg()}", flush=True)
        print(f"{'':<25} slowest presets by p99: " + ", ".join(f"{k} {v:.0f} ms" for v, k in slow), flush=True)


def compare_sizes(tmp: Path, args, size: int) -> Path:
    """Part 1 on a store of ``size`` triples: both servers at each client count; returns the store."""
    print(f"== {size} triples; {loadavg()}", flush=True)
    store = make_store(tmp, size, f"small{size}")
    queries = bound_queries(store)
    print(f"{len(queries)} bound preset queries, the same text to both servers")
    print("kg serve without its answer cache (--cache-mb 0): both servers answer every query afresh")
    print(f"each client count: {args.rounds} rounds of {args.seconds / args.rounds:g} s per server, "
          "the servers taking turns (a change in load falls on both); cpu: CPU time of the server's "
          "process tree per request")
    print(f"{'clients':>7}  {'kg serve req/s':>14} {'p50':>7} {'p99':>7} {'err':>4} {'cpu':>7}   "
          f"{'oxigraph req/s':>14} {'p50':>7} {'p99':>7} {'err':>4} {'cpu':>7}   {'ratio':>5} "
          f"{'rounds':>11} {'cpu ratio':>9}  load")
    servers = {kind: start(kind, store) for kind in ("kg", "oxigraph")}
    try:
        for n in [int(x) for x in args.clients.split(",")]:
            res = compare(servers, queries, n, args.seconds, args.rounds)
            k, o = res["kg"], res["oxigraph"]
            each = [a / b for a, b in zip(k["rounds"], o["rounds"]) if b]
            spread = f"{min(each):.2f}-{max(each):.2f}" if each else "-"
            print(f"{n:>7}  {k['rps']:>14.1f} {k['p50']:>5.0f}ms {k['p99']:>5.0f}ms {k['errors']:>4} "
                  f"{k['cpu_ms']:>5.1f}ms   {o['rps']:>14.1f} {o['p50']:>5.0f}ms {o['p99']:>5.0f}ms "
                  f"{o['errors']:>4} {o['cpu_ms']:>5.1f}ms   {k['rps'] / o['rps']:>4.2f}x {spread:>11} "
                  f"{o['cpu_ms'] / k['cpu_ms']:>8.2f}x  {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        for proc, _ in servers.values():
            stop(proc)
    return store


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", default="100000,1000000",
                    help="triples of the stores for the 1/8/32-client comparison (comma-separated: one after another)")
    ap.add_argument("--big", type=int, default=1_000_000, help="triples of the store for the stress run (0: skip)")
    ap.add_argument("--seconds", type=float, default=10.0, help="seconds per server and client count in the comparison")
    ap.add_argument("--rounds", type=int, default=5, help="turns per server and client count in the comparison")
    ap.add_argument("--stress-seconds", type=float, default=20.0)
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--stress-only", action="store_true", help="only part 2, the stress run on the --big store")
    ap.add_argument("--seed", type=int, default=12, help="seed of the stress run's parameter draws")
    ap.add_argument("--store", type=Path, help="stress run: this store (generated with make_synthetic.py "
                    "--triples BIG and kg load) instead of generating one")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-endpoint-"))
    try:
        if args.stress_only:
            stress(tmp, args)
            return
        sizes = [int(x) for x in str(args.small).split(",")]
        kept = None  # the store of the size the stress run wants, if part 1 made it
        for size in sizes:
            store = compare_sizes(tmp, args, size)
            if size == args.big:
                kept = store
            else:
                shutil.rmtree(store, ignore_errors=True)
        if args.big:
            stress(tmp, args, kept)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
