"""Query benchmark: Oxigraph store vs rdflib in memory, and the endpoint under load.

    python benchmarks/bench_query.py --triples 1000000

Prints load times, median/p95 latency of every preset on both engines and their ratio, then the
throughput, p99 latency and errors of ``kg serve`` with 32 concurrent clients for 20 s (loopback).
Targets: every preset's median <= 50 ms on the store; zero errors under load. Not a timed test.
"""
from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from kg.query import presets, run_preset
from kg.store import load_files, load_graph, open_source

PARAMS = {
    "people-roles": {"org": "Org 1"}, "partners-of": {"org": "Org 0"}, "competitors-of": {"org": "Org 0"},
    "deals": {"org": "Org 2"}, "regulators": {"org": "Org 3"}, "products-of": {"org": "Org 0"},
    "ecosystem": {"org": "Org 5", "hops": "2"}, "metrics-of": {"org": "Org 0"},
    "facts-about": {"org": "Org 0"}, "entities-by-type": {"type": "Association"},
    "what-changed": {"from": "2024-03-01", "to": "2024-03-07"},
}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def time_presets(graph, reps):
    out = {}
    for name in presets():
        run_preset(graph, name, PARAMS.get(name, {}))  # warm-up
        ts, n = [], 0
        for _ in range(reps):
            t = time.perf_counter()
            n = len(run_preset(graph, name, PARAMS.get(name, {})))
            ts.append((time.perf_counter() - t) * 1000)
        out[name] = (statistics.median(ts), pct(ts, 95), n)
    return out


def load_test(store_dir, clients=32, seconds=20.0):
    from kg.server import make_server

    server = make_server(store_dir, port=0, workers=2, timeout=10.0, max_rows=10000)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    texts = [(p.text, PARAMS.get(name, {})) for name, p in presets().items()]
    lat, errors, lock = [], [], threading.Lock()
    end = time.monotonic() + seconds

    def client(i):
        conn = http.client.HTTPConnection(host, port, timeout=30)
        k = i
        while time.monotonic() < end:
            text, params = texts[k % len(texts)]
            k += 1
            body = urllib.parse.urlencode({"query": text, **{f"param.{a}": b for a, b in params.items()}})
            t = time.perf_counter()
            try:
                conn.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                       "Accept": "application/sparql-results+json"})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except Exception as e:  # noqa: BLE001
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                r = e
            with lock:
                lat.append((time.perf_counter() - t) * 1000)
                if not ok:
                    errors.append(getattr(r, "status", repr(r)))
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    server.shutdown()
    server.server_close()
    server.pool.close()
    return len(lat) / wall, pct(lat, 50), pct(lat, 99), len(lat), errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--data", default=None, help="an existing N-Triples file (else generated)")
    ap.add_argument("--reps", type=int, default=30, help="runs per preset on the store")
    ap.add_argument("--rdflib-reps", type=int, default=3, help="runs per preset on rdflib")
    ap.add_argument("--seconds", type=float, default=20.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    try:
        data = Path(args.data) if args.data else tmp / "synthetic.nt"
        if not args.data:
            subprocess.run([sys.executable, str(Path(__file__).parent / "make_synthetic.py"), "--triples",
                            str(args.triples), "-o", str(data)], check=True)
        store_dir = tmp / "store"
        t = time.perf_counter()
        report = load_files([data], store_dir)
        t_store = time.perf_counter() - t
        store = open_source(store_dir)
        print(f"\nOxigraph store: {len(store)} triples, {report.articles} article graphs, "
              f"loaded in {t_store:.1f} s (kg load)")
        ox_times = time_presets(store, args.reps)
        del store
        t = time.perf_counter()
        g = load_graph(data)
        t_rdf = time.perf_counter() - t
        print(f"rdflib memory:  {len(g)} triples, parsed in {t_rdf:.1f} s")
        rdf_times = time_presets(g, args.rdflib_reps)
        del g
        print(f"\n{'preset':<17}{'rows':>6}  {'store median':>12} {'p95':>8}  {'rdflib median':>13} {'p95':>9}  "
              f"{'ratio':>7}")
        for name, (med, p95, n) in ox_times.items():
            rmed, rp95, _ = rdf_times[name]
            flag = "" if med <= 50 else "  > 50 ms target"
            print(f"{name:<17}{n:>6}  {med:>10.1f}ms {p95:>6.1f}ms  {rmed:>11.1f}ms {rp95:>7.1f}ms  "
                  f"{rmed / med:>6.0f}x{flag}")
        rps, p50, p99, n, errors = load_test(store_dir, 32, args.seconds)
        print(f"\nkg serve, 32 clients, {args.seconds:g} s, all presets in turn: {n} requests, {rps:.0f} req/s, "
              f"p50 {p50:.0f} ms, p99 {p99:.0f} ms, errors {len(errors)}"
              + (f" ({sorted(set(map(str, errors)))[:5]})" if errors else ""))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
