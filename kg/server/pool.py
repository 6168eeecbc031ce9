"""Queries run in worker processes, so that a runaway query can be stopped.

Neither engine can interrupt a query in the middle of an aggregate or a sort; a worker process
can be killed. Each worker opens the graph itself (a file parsed into memory, or the store
directory read-only) and answers jobs over a pipe with a complete HTTP answer: status, media type,
body and headers. A job that outlives the time limit kills its worker, answers an error status
(never a truncated 200) and a fresh worker takes its place.
"""
from __future__ import annotations

import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass, field


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


def _pick_format(kind: str, wanted: list[str]) -> str | None:
    allowed = ("json", "xml", "csv", "tsv") if kind in ("select", "ask") else ("turtle", "ntriples")
    for w in wanted:
        if w in allowed:
            return w
    return allowed[0] if not wanted or "*" in wanted else None


def _worker_main(conn, source: str) -> None:
    from kg.errors import KGError, ParameterError
    from kg.query import query
    from kg.query.engine import OxigraphEngine
    from kg.query.formats import MEDIA_TYPES, render
    from kg.store import open_source

    engine = OxigraphEngine(open_source(source, read_only=True))
    conn.send("ready")
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            res = query(engine, job["query"], job.get("params") or None, max_rows=job["max_rows"])
            fmt = _pick_format(res.kind, job["formats"])
            if fmt is None:
                ans = Answer(406, "text/plain; charset=utf-8",
                             f"cannot answer a {res.kind} query as {', '.join(job['formats'])}\n".encode())
            else:
                headers = {}
                if res.truncated:
                    headers = {"X-KG-Truncated": "true", "X-KG-Row-Limit": str(job["max_rows"])}
                for w in res.warnings:
                    headers["X-KG-Warning"] = w.encode("ascii", "backslashreplace").decode()
                ans = Answer(200, MEDIA_TYPES[fmt], render(res, fmt).encode("utf-8"), headers)
        except ParameterError as e:
            ans = Answer(400, "text/plain; charset=utf-8", f"{e}\n".encode())
        except KGError as e:
            ans = Answer(400, "text/plain; charset=utf-8", f"{e}\n".encode())
        except Exception as e:  # noqa: BLE001 - a worker must answer, whatever happened
            ans = Answer(500, "text/plain; charset=utf-8", f"internal error: {type(e).__name__}: {e}\n".encode())
        conn.send(ans)


class _Worker:
    def __init__(self, ctx, source: str):
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
    """``workers`` processes answering queries with a wall-clock ``timeout`` and a ``max_rows`` cap."""

    def __init__(self, source: str, workers: int = 2, timeout: float = 10.0, max_rows: int = 10000):
        self.source, self.timeout, self.max_rows = str(source), timeout, max_rows
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._all: set = set()
        self._lock = threading.Lock()
        self._closed = False
        started = [_Worker(self._ctx, self.source) for _ in range(max(1, workers))]
        for w in started:
            if not w.wait_ready(120):
                for x in started:
                    x.kill()
                from kg.errors import GraphFileError

                raise GraphFileError(f"{source}: the query workers could not open the graph")
            self._all.add(w)
            self._idle.put(w)

    def _replace(self, dead: _Worker) -> None:
        dead.kill()
        with self._lock:
            self._all.discard(dead)
            if self._closed:
                return
        w = _Worker(self._ctx, self.source)
        if w.wait_ready(120):
            with self._lock:
                if self._closed:
                    w.kill()
                    return
                self._all.add(w)
            self._idle.put(w)

    def run(self, sparql: str, params: dict | None, formats: list[str]) -> Answer:
        try:
            w = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain; charset=utf-8", b"all query workers are busy; try again\n",
                          {"Retry-After": "1"})
        try:
            w.conn.send({"query": sparql, "params": params, "formats": formats, "max_rows": self.max_rows})
            if w.conn.poll(self.timeout):
                ans = w.conn.recv()
                self._idle.put(w)
                return ans
        except (EOFError, OSError, BrokenPipeError):
            pass
        # too slow (or the worker died): stop it, answer an error, start a fresh one
        threading.Thread(target=self._replace, args=(w,), daemon=True).start()
        return Answer(503, "text/plain; charset=utf-8",
                      f"the query ran longer than the {self.timeout:g} s time limit and was stopped\n".encode())

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.kill()
