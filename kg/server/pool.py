"""Queries run in worker processes, so that a runaway query can be stopped.

Neither engine can interrupt a query in the middle of an aggregate or a sort; a worker process
can be killed. Each worker opens the graph itself (a file parsed into memory, or the store
directory read-only) and answers jobs over a pipe with a complete HTTP answer: status, media type,
body and headers. A job that outlives the time limit, or a worker whose resident memory passes
the memory limit, kills the worker; the client gets an error status (never a truncated 200) and a
fresh worker takes its place.

More rules keep a few slow queries from starving everyone:

* **two lanes**: ordinary queries run on ``workers`` *cheap-lane* workers. A query that uses more
  than ``cheap_cpu`` seconds of CPU there (CPU, not wall-clock time, so that a busy machine does
  not make a cheap query look expensive) or hits a limit is *expensive* from then on, by its
  text (until it runs in under half that in the expensive lane). The worker running it moves to
  the *expensive lane* on the spot (the query goes on, the client gets its answer) and a fresh
  cheap-lane worker takes its place. A text that is a cartesian product of whole-store scans is
  known to be expensive before it runs (:func:`kg.query.policy.expensive`) and never takes a
  cheap-lane worker's time. Expensive texts run only in the expensive lane:
  ``expensive_workers`` processes at a low CPU priority (nice 10: about a tenth of a cheap
  worker's share while both want the CPU; 19 starved an expensive query until its time limit on
  a busy machine), so cheap queries get the CPU first. Waits are bounded (``max_wait``): past it
  the client gets ``503`` with ``Retry-After``, never an unbounded queue; and a query that turns
  out expensive while the expensive lane is full is stopped with ``503`` at once. So the 503
  answers of a busy expensive lane go to the expensive queries, not to the cheap ones. A worker
  warms up before it takes queries, so that its first query does not pay for the SPARQL parser's
  import and set-up (0.1-0.3 s of CPU).
* **an answer cache**: the store is a read-only snapshot, so the same text with the same
  parameters and formats gives the same bytes until the snapshot changes. Successful answers
  are kept (least recently used out first, at most ``cache_mb`` MB in all) for the current
  snapshot only; a new snapshot starts with an empty cache.
* **one snapshot**: every worker answers from the same state of the store. When the store (or
  file) changes on disk -- ``kg load`` into the served store -- a complete new set of workers is
  started on the new state, and they replace the old set at once; until then the old set answers.
  A client never sees old and new data alternate.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import select
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.query.isolated import LimitExceeded, cpu_seconds, wait_answer

CHEAP, EXPENSIVE = "cheap", "expensive"
NICE = 10  # the expensive lane's CPU priority
_LANE_BUSY = "this query is expensive and the expensive-query lane is busy; try again later"


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
    from functools import lru_cache

    from kg.errors import KGError
    from kg.query import query
    from kg.query.engine import OxigraphEngine
    from kg.query.formats import MEDIA_TYPES, render
    from kg.query.policy import ReadOnlyError, expensive
    from kg.store import open_source

    engine = OxigraphEngine(open_source(source, read_only=True))
    # the first query of a fresh worker would otherwise pay for importing rdflib's SPARQL parser
    # (0.1-0.3 s of CPU, counted against the cheap lane's budget)
    expensive("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    render(query(engine, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", native_terms=True), "json")
    known = lru_cache(maxsize=1024)(expensive)  # kg serve sees the same texts again and again
    # what is loaded now stays: the collector no longer walks it (rdflib, the parser, the engine),
    # which took 0.1 ms of each answer's CPU time
    gc.freeze()
    # every message carries the worker's CPU time so far (time.process_time(): all its threads, as
    # /proc counts them), so that the pool need not read /proc twice for each query
    _reply(conn, "ready")
    while True:
        try:
            text, params, formats, max_rows, lane = pickle.loads(conn.recv_bytes())
        except EOFError:
            return
        if lane == CHEAP and (known(text) if len(text) <= 20_000 else expensive(text)):
            _reply(conn, EXPENSIVE)  # known before running: to the expensive lane
            continue
        try:
            # a SELECT answer wanted in JSON is written by Oxigraph (no Python object per term)
            native = "json" if pick_format("select", formats) == "json" else True
            res = query(engine, text, params or None, max_rows=max_rows, native_terms=native)
            fmt = pick_format(res.kind, formats)
            if fmt is None:
                can = SELECT_FORMATS if res.kind in ("select", "ask") else GRAPH_FORMATS
                ans = _text(406, f"cannot answer a {res.kind} query in the formats asked for (Accept/format); "
                                 f"acceptable: {', '.join(MEDIA_TYPES[f].split(';')[0] for f in can)}")
            else:
                headers = {}
                if res.truncated:
                    headers = {"X-KG-Truncated": "true", "X-KG-Row-Limit": str(max_rows)}
                for w in res.warnings:
                    headers["X-KG-Warning"] = w.encode("ascii", "backslashreplace").decode()
                body = res.json if res.json is not None else render(res, fmt).encode("utf-8")
                ans = Answer(200, MEDIA_TYPES[fmt], body, headers)
        except ReadOnlyError as e:
            ans = _text(403, f"this endpoint is read-only: {e}")
        except KGError as e:
            ans = _text(400, str(e))
        except Exception as e:  # noqa: BLE001 - a worker must answer, whatever happened
            ans = _text(500, f"internal error: {type(e).__name__}: {e}")
        _reply(conn, (ans.status, ans.content_type, ans.body, ans.headers))


def _reply(conn, message) -> None:
    """One message to the pool with the worker's CPU time so far: plain tuples, pickled once, sent
    as bytes (no pickler object per message, no dataclass to rebuild)."""
    conn.send_bytes(pickle.dumps((message, time.process_time()), pickle.HIGHEST_PROTOCOL))


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
    def __init__(self, ctx, source: str, generation: int, lane: str):
        self.generation, self.lane = generation, CHEAP
        self.cpu = 0.0  # the CPU time the worker reported with its last message (it is idle between jobs)
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, source), daemon=True)
        self.proc.start()
        child.close()
        # one poll object for the worker's life (Connection.poll builds a selector at each call)
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        if lane == EXPENSIVE:
            self.demote()

    def demote(self) -> None:
        """Into the expensive lane: a low CPU priority (nice 10) for every thread of the process
        (on Linux a nice value is per thread)."""
        self.lane = EXPENSIVE
        pid = self.proc.pid
        try:
            tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            tids = [pid]
        for tid in tids:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, NICE)
            except OSError:
                pass

    def send(self, text: str, params, formats, max_rows: int, lane: str) -> None:
        self.conn.send_bytes(pickle.dumps((text, params, formats, max_rows, lane), pickle.HIGHEST_PROTOCOL))

    def poll(self, timeout: float) -> bool:
        """A message (or the end of the pipe) within ``timeout`` seconds."""
        return bool(self._poller.poll(timeout * 1000))

    def recv(self):
        """The worker's next message: ``"ready"``, ``EXPENSIVE`` or an :class:`Answer`; its CPU time
        so far goes to ``self.cpu``. EOFError when it died."""
        message, self.cpu = pickle.loads(self.conn.recv_bytes())
        return Answer(*message) if isinstance(message, tuple) else message

    def wait_ready(self, timeout: float) -> bool:
        if self.poll(timeout):
            try:
                return self.recv() == "ready"
            except EOFError:
                return False
        return False

    def kill(self) -> None:
        self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class _Lane:
    """The idle workers of one lane, handed to the waiting requests first come, first served (a
    plain queue lets a newly arrived request overtake one that has waited for seconds). The idle
    worker that answered last goes out first: its caches (CPU, the store's blocks) are warm, so
    at one client one worker answers every query (taking turns cost ~30 % more CPU per query)."""

    def __init__(self):
        from collections import deque

        self._lock = threading.Lock()
        self._idle: deque = deque()
        self._waiting: deque = deque()  # [event, worker or None], oldest first

    def put(self, w: _Worker) -> None:
        with self._lock:
            if self._waiting:
                slot = self._waiting.popleft()
                slot[1] = w
                slot[0].set()
            else:
                self._idle.append(w)

    def get(self, timeout: float) -> _Worker | None:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            slot = [threading.Event(), None]
            self._waiting.append(slot)
        slot[0].wait(timeout)
        with self._lock:
            if slot[1] is None:  # not served in time: leave the line
                self._waiting.remove(slot)
            return slot[1]


class _Expensive(Exception):
    """Raised while waiting: the query turned out expensive and the expensive lane is full."""


class _Cache:
    """Successful answers of one snapshot, least recently used out first, at most ``limit`` bytes."""

    def __init__(self, limit: int):
        from collections import OrderedDict

        self.limit, self.size, self.generation = limit, 0, 0
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, generation: int, key) -> Answer | None:
        with self._lock:
            if generation != self.generation or key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, generation: int, key, ans: Answer) -> None:
        cost = len(ans.body) + 200
        if cost > self.limit // 8:
            return
        with self._lock:
            if generation < self.generation:
                return
            if generation > self.generation:
                self._items.clear()
                self.size, self.generation = 0, generation
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old.body) + 200
            self._items[key] = ans
            self.size += cost
            while self.size > self.limit:
                _, gone = self._items.popitem(last=False)
                self.size -= len(gone.body) + 200


class QueryPool:
    """``workers`` cheap-lane and ``expensive_workers`` expensive-lane processes answering queries
    with a wall-clock ``timeout``, a ``memory_mb`` limit per worker, a ``max_rows`` cap, bounded
    waits, a ``cheap_cpu`` budget for the cheap lane and an answer cache of ``cache_mb`` MB
    (0: none); see the module."""

    def __init__(self, source: str, workers: int = 2, timeout: float = 10.0, max_rows: int = 10000,
                 memory_mb: float | None = None, max_wait: float | None = None, cheap_cpu: float = 1.0,
                 watch_every: float = 1.0, expensive_workers: int = 1, cache_mb: float = 64):
        self.source, self.timeout, self.max_rows = str(source), timeout, max_rows
        self.memory_mb, self.cheap_cpu, self.watch_every = memory_mb, cheap_cpu, watch_every
        self.max_wait = timeout if max_wait is None else max_wait
        self.size = {CHEAP: max(1, workers), EXPENSIVE: max(1, expensive_workers)}
        self.workers = self.size[CHEAP]
        self._ctx = mp.get_context("spawn")
        self._idle = {CHEAP: _Lane(), EXPENSIVE: _Lane()}
        self._live = {CHEAP: 0, EXPENSIVE: 0}  # this snapshot's workers per lane (idle, busy or starting)
        self._all: set = set()
        self._lock = threading.Lock()
        self._closed = False
        self._refilling = False
        self._slow: set[str] = set()
        self._slots = threading.BoundedSemaphore(self.size[EXPENSIVE])  # expensive queries running
        self._cache = _Cache(int(cache_mb * 1e6)) if cache_mb else None
        self.generation = 0
        self._state = fingerprint(self.source)
        self._checked = time.monotonic()
        self._switching = False
        for w in self._start_set(0):
            self._add(w)

    def _start_set(self, generation: int) -> list[_Worker]:
        started = [_Worker(self._ctx, self.source, generation, lane)
                   for lane in (CHEAP, EXPENSIVE) for _ in range(self.size[lane])]
        if not all(w.wait_ready(120) for w in started):
            for x in started:
                x.kill()
            from kg.errors import GraphFileError

            raise GraphFileError(f"{self.source}: the query workers could not open the graph")
        return started

    def _add(self, w: _Worker) -> None:
        with self._lock:
            self._all.add(w)
            self._live[w.lane] += 1
        self._idle[w.lane].put(w)

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
            self._live = {CHEAP: 0, EXPENSIVE: 0}
            self._switching = False
        for w in fresh:
            self._add(w)

    # --- workers in and out
    def _get_worker(self, lane: str, wait: float) -> _Worker | None:
        end = time.monotonic() + wait
        while True:
            w = self._idle[lane].get(max(0.0, end - time.monotonic()))
            if w is None:
                return None
            if w.generation == self.generation:
                return w
            self._retire(w)  # an old snapshot's worker: never answers again

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.kill()

    def _release(self, w: _Worker) -> None:
        """A worker that answered: back to its lane, unless its snapshot is gone or its lane is full."""
        with self._lock:
            extra = w.generation != self.generation or self._live[w.lane] > self.size[w.lane]
            if extra and w.generation == self.generation:
                self._live[w.lane] -= 1
        if extra:
            self._retire(w)
        else:
            self._idle[w.lane].put(w)

    def _lost(self, w: _Worker) -> None:
        """A worker stopped (over a limit, or dead): a fresh one takes its place."""
        with self._lock:
            if w.generation == self.generation:
                self._live[w.lane] -= 1
        self._retire(w)
        self._refill()

    def _demote(self, w: _Worker) -> None:
        with self._lock:
            if w.generation == self.generation:
                self._live[CHEAP] -= 1
                self._live[EXPENSIVE] += 1
        w.demote()
        self._refill()

    def _refill(self) -> None:
        with self._lock:
            if self._refilling or self._closed:
                return
            self._refilling = True
        threading.Thread(target=self._refill_loop, daemon=True).start()

    def _refill_loop(self) -> None:
        """Start workers, one at a time, until each lane of this snapshot has its size."""
        while True:
            with self._lock:
                lane = next((x for x in (CHEAP, EXPENSIVE) if self._live[x] < self.size[x]), None)
                if lane is None or self._closed:
                    self._refilling = False
                    return
                self._live[lane] += 1  # reserved while it starts
                generation = self.generation
            w = _Worker(self._ctx, self.source, generation, lane)
            ok = w.wait_ready(120)
            with self._lock:
                keep = ok and not self._closed and generation == self.generation
                if keep:
                    self._all.add(w)
                elif generation == self.generation:
                    self._live[lane] -= 1
            if keep:
                self._idle[lane].put(w)
            else:
                w.kill()
                if not ok:
                    time.sleep(1.0)  # the store may be being rewritten: try again shortly

    # --- queries
    def run(self, sparql: str, params: dict | None, formats: list[str]) -> Answer:
        self._watch()
        key = sparql.strip()
        ckey = (key, tuple(sorted((params or {}).items())), tuple(formats))
        if self._cache is not None:
            hit = self._cache.get(self.generation, ckey)
            if hit is not None:
                return hit
        job = (sparql, params, formats, self.max_rows)
        if key in self._slow:
            ans, generation = self._run_expensive(key, job)
        else:
            ans, generation = self._run(key, job, CHEAP)
        if self._cache is not None and ans.status == 200:
            self._cache.put(generation, ckey, ans)
        return ans

    def _run_expensive(self, key: str, job: tuple) -> tuple[Answer, int]:
        end = time.monotonic() + self.max_wait
        if not self._slots.acquire(timeout=self.max_wait):
            return _text(503, _LANE_BUSY, {"Retry-After": "5"}), -1
        try:
            return self._run(key, job, EXPENSIVE, max(0.0, end - time.monotonic()))
        finally:
            self._slots.release()

    def _run(self, key: str, job: tuple, lane: str, wait: float | None = None) -> tuple[Answer, int]:
        w = self._get_worker(lane, self.max_wait if wait is None else wait)
        if w is None:
            if lane == EXPENSIVE:
                return _text(503, _LANE_BUSY, {"Retry-After": "5"}), -1
            return _text(503, "all query workers are busy; try again", {"Retry-After": "1"}), -1
        moved = []  # the expensive-lane slot taken when this query turned out expensive

        def check():
            if lane == CHEAP and not moved and cpu_seconds(w.proc.pid) - cpu0 > self.cheap_cpu:
                self._mark_slow(key)
                if not self._slots.acquire(blocking=False):
                    raise _Expensive
                moved.append(True)
                self._demote(w)

        cpu0 = w.cpu
        try:
            w.send(*job, lane)
            ans = wait_answer(w, w.proc.pid, self.timeout, self.memory_mb, check if lane == CHEAP else None)
            used = w.cpu - cpu0
            if lane == EXPENSIVE and not isinstance(ans, str) and used < self.cheap_cpu / 2:
                self._slow.discard(key)  # cheap after all (it was unlucky once): back to the cheap lane
            self._release(w)
            if ans == EXPENSIVE:
                self._mark_slow(key)
                return self._run_expensive(key, job)
            return ans, w.generation
        except _Expensive:
            message = _LANE_BUSY
        except LimitExceeded as e:
            message = str(e)
        except (EOFError, OSError):
            message = "the query worker stopped (out of memory?); narrow the query down"
        finally:
            if moved:
                self._slots.release()
        # too slow, too big, or dead: stop it, answer an error, start a fresh one
        self._mark_slow(key)
        self._lost(w)
        return _text(503, message, {"Retry-After": "5"}), -1

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
