"""Queries run in worker processes, so that a runaway query can be stopped.

Neither engine can interrupt a query in the middle of an aggregate or a sort; a worker process
can be killed. Each worker opens the graph itself (a file parsed into memory, or the store
directory read-only) and answers jobs over a pipe with a complete HTTP answer: status, media type,
body and headers. A job that outlives the time limit, or a worker whose resident memory passes
the memory limit, kills the worker; the client gets an error status (never a truncated 200) and a
fresh worker takes its place.

Two more rules keep a few slow queries from starving everyone:

* **lanes**: a query text that once ran longer than ``slow_after`` seconds (or hit a limit) is
  *expensive*; expensive queries may hold at most ``workers - 1`` workers at a time, so one worker
  is always left for the others. Every wait for a worker is bounded (``max_wait``): past it the
  client gets ``503`` with ``Retry-After``, never an unbounded queue.
* **one snapshot**: every worker answers from the same state of the store. When the store (or
  file) changes on disk -- ``kg load`` into the served store -- a complete new set of workers is
  started on the new state, and they replace the old set at once; until then the old set answers.
  A client never sees old and new data alternate.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.query.isolated import LimitExceeded, wait_answer


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


SELECT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld")


def pick_format(kind: str, wanted: list[str]) -> str | None:
    """The first wanted format that fits the query form; the form's default for no preference or
    ``*/*``; None (406) when the client accepts only formats that cannot carry the result."""
    allowed = SELECT_FORMATS if kind in ("select", "ask") else GRAPH_FORMATS
    for w in wanted:
        if w in allowed:
            return w
    return allowed[0] if not wanted or "*" in wanted else None


def _text(status: int, message: str, headers: dict | None = None) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode(), headers or {})


def _worker_main(conn, source: str) -> None:
    from kg.errors import KGError
    from kg.query import query
    from kg.query.engine import OxigraphEngine
    from kg.query.formats import MEDIA_TYPES, render
    from kg.query.policy import ReadOnlyError
    from kg.store import open_source

    engine = OxigraphEngine(open_source(source, read_only=True))
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            res = query(engine, job["query"], job.get("params") or None, max_rows=job["max_rows"],
                        native_terms=True)
            fmt = pick_format(res.kind, job["formats"])
            if fmt is None:
                can = SELECT_FORMATS if res.kind in ("select", "ask") else GRAPH_FORMATS
                ans = _text(406, f"cannot answer a {res.kind} query in the formats asked for (Accept/format); "
                                 f"acceptable: {', '.join(MEDIA_TYPES[f].split(';')[0] for f in can)}")
            else:
                headers = {}
                if res.truncated:
                    headers = {"X-KG-Truncated": "true", "X-KG-Row-Limit": str(job["max_rows"])}
                for w in res.warnings:
                    headers["X-KG-Warning"] = w.encode("ascii", "backslashreplace").decode()
                ans = Answer(200, MEDIA_TYPES[fmt], render(res, fmt).encode("utf-8"), headers)
        except ReadOnlyError as e:
            ans = _text(403, f"this endpoint is read-only: {e}")
        except KGError as e:
            ans = _text(400, str(e))
        except Exception as e:  # noqa: BLE001 - a worker must answer, whatever happened
            ans = _text(500, f"internal error: {type(e).__name__}: {e}")
        conn.send(ans)


def fingerprint(source: str) -> tuple:
    """What changes when the data on disk changes: a file's size and mtime; for a store
    directory, its CURRENT file and the size and mtime of every file RocksDB keeps there."""
    p = Path(source)
    try:
        if p.is_dir():
            return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(p)
                                if e.is_file() and not e.name.startswith("LOG")))
        st = p.stat()
        return (st.st_size, st.st_mtime_ns)
    except OSError:
        return ()


class _Worker:
    def __init__(self, ctx, source: str, generation: int):
        self.generation = generation
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, source), daemon=True)
        self.proc.start()
        child.close()

    def wait_ready(self, timeout: float) -> bool:
        if self.conn.poll(timeout):
            try:
                return self.conn.recv() == "ready"
            except EOFError:
                return False
        return False

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class QueryPool:
    """``workers`` processes answering queries with a wall-clock ``timeout``, a ``memory_mb`` limit
    per worker, a ``max_rows`` cap, bounded waits and an expensive-query lane (see the module)."""

    def __init__(self, source: str, workers: int = 2, timeout: float = 10.0, max_rows: int = 10000,
                 memory_mb: float | None = None, max_wait: float | None = None, slow_after: float = 1.0,
                 watch_every: float = 1.0):
        self.source, self.timeout, self.max_rows = str(source), timeout, max_rows
        self.memory_mb, self.slow_after, self.watch_every = memory_mb, slow_after, watch_every
        self.max_wait = timeout if max_wait is None else max_wait
        self.workers = max(1, workers)
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._all: set = set()
        self._lock = threading.Lock()
        self._closed = False
        self._slow: set[str] = set()
        self._slow_lane = threading.BoundedSemaphore(max(1, self.workers - 1))
        self.generation = 0
        self._state = fingerprint(self.source)
        self._checked = time.monotonic()
        self._switching = False
        for w in self._start_set(0):
            self._all.add(w)
            self._idle.put(w)

    def _start_set(self, generation: int) -> list[_Worker]:
        started = [_Worker(self._ctx, self.source, generation) for _ in range(self.workers)]
        if not all(w.wait_ready(120) for w in started):
            for x in started:
                x.kill()
            from kg.errors import GraphFileError

            raise GraphFileError(f"{self.source}: the query workers could not open the graph")
        return started

    # --- one snapshot for all workers
    def _watch(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.watch_every or self._switching:
            return
        self._checked = now
        state = fingerprint(self.source)
        if state == self._state or not state:
            return
        with self._lock:
            if self._switching:
                return
            self._switching = True
        threading.Thread(target=self._switch, args=(state,), daemon=True).start()

    def _switch(self, state) -> None:
        """Start a new set of workers on the new data; swap them in at once when all are ready."""
        try:
            fresh = self._start_set(self.generation + 1)
        except Exception:  # noqa: BLE001 - the store is being rewritten: keep the old set, retry later
            with self._lock:
                self._switching = False
            return
        with self._lock:
            if self._closed:
                for w in fresh:
                    w.kill()
                return
            self.generation += 1
            self._state = state
            self._all.update(fresh)
            self._switching = False
        for w in fresh:
            self._idle.put(w)

    def _get_worker(self, wait: float) -> _Worker | None:
        end = time.monotonic() + wait
        while True:
            try:
                w = self._idle.get(timeout=max(0.0, end - time.monotonic()))
            except queue.Empty:
                return None
            if w.generation == self.generation:
                return w
            self._retire(w)  # an old snapshot's worker: never answers again

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.kill()

    def _replace(self, dead: _Worker) -> None:
        self._retire(dead)
        with self._lock:
            if self._closed or dead.generation != self.generation:
                return
        w = _Worker(self._ctx, self.source, dead.generation)
        if w.wait_ready(120):
            with self._lock:
                if self._closed or w.generation != self.generation:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)

    def run(self, sparql: str, params: dict | None, formats: list[str]) -> Answer:
        self._watch()
        key = sparql.strip()
        slow = key in self._slow
        if slow and not self._slow_lane.acquire(timeout=self.max_wait):
            return _text(503, "this query is expensive and the expensive-query lane is busy; try again later",
                         {"Retry-After": "5"})
        try:
            return self._run(key, sparql, params, formats)
        finally:
            if slow:
                self._slow_lane.release()

    def _run(self, key: str, sparql: str, params: dict | None, formats: list[str]) -> Answer:
        w = self._get_worker(self.max_wait)
        if w is None:
            return _text(503, "all query workers are busy; try again", {"Retry-After": "1"})
        started = time.monotonic()
        try:
            w.conn.send({"query": sparql, "params": params, "formats": formats, "max_rows": self.max_rows})
            ans = wait_answer(w.conn, w.proc.pid, self.timeout, self.memory_mb)
            if time.monotonic() - started > self.slow_after:
                self._mark_slow(key)
            self._idle.put(w)
            return ans
        except LimitExceeded as e:
            message, status = str(e), 503
        except (EOFError, OSError):
            message, status = "the query worker stopped (out of memory?); narrow the query down", 503
        # too slow, too big, or dead: stop it, answer an error, start a fresh one
        self._mark_slow(key)
        threading.Thread(target=self._replace, args=(w,), daemon=True).start()
        return _text(status, message)

    def _mark_slow(self, key: str) -> None:
        if len(self._slow) > 10_000:  # bounded: forget the old ones
            self._slow.clear()
        self._slow.add(key)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
