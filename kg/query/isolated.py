"""Running one query in a child process, so that a time or memory limit can really be enforced.

Neither engine can interrupt a query inside a sort, a join or an aggregate: an ``ORDER BY`` over a
cartesian product runs (and grows) until it is done. A process can be killed. ``kg query
--timeout`` and the workers of ``kg serve`` therefore run queries in child processes, watched
by :func:`wait_answer`: past the wall-clock limit, or over the memory limit (resident memory,
read from ``/proc``), the child is killed and the caller gets one clear error.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time

from kg.errors import QueryError

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it cannot be read, e.g. not Linux)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system, seconds; 0 when it cannot be read).
    Unlike wall-clock time it does not grow when the machine is busy with other work."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


class LimitExceeded(QueryError):
    """The query ran past its time limit or memory limit and its process was stopped."""


def wait_answer(conn, pid: int, timeout: float | None, memory_mb: float | None, check=None):
    """The next object from ``conn``, or :class:`LimitExceeded` when process ``pid`` runs past
    ``timeout`` seconds or ``memory_mb`` MB of resident memory first (the caller kills it).
    ``check()``, if given, is called every 50 ms while waiting (it may raise too).
    Raises EOFError when the process died."""
    end = time.monotonic() + timeout if timeout else None
    while True:
        step = 0.05 if memory_mb or check else 0.5
        if end is not None:
            step = max(0.0, min(step, end - time.monotonic()))
        if conn.poll(step):
            return conn.recv()
        if end is not None and time.monotonic() >= end:
            raise LimitExceeded(f"the query ran longer than the {timeout:g} s time limit and was stopped; "
                                "narrow it down (a LIMIT, a more specific pattern) or raise the limit")
        if memory_mb and rss_mb(pid) > memory_mb:
            raise LimitExceeded(f"the query used more than {memory_mb:g} MB of memory and was stopped; "
                                "narrow it down or raise the limit")
        if check is not None:
            check()


def _child(conn, graph: str, engine: str, text: str, params, kwargs) -> None:
    from kg.errors import KGError

    try:
        source = open_for_query(graph, engine)
    except KGError as e:
        conn.send(e)
        return
    conn.send("ready")
    try:
        from kg.query import query

        conn.send(query(source, text, params, **kwargs))
    except KGError as e:
        conn.send(e)
    except Exception as e:  # noqa: BLE001 - reported as one line by the parent
        conn.send(QueryError(f"the query failed: {type(e).__name__}: {e}"))


def open_for_query(graph, engine: str = "oxigraph"):
    """What ``kg query`` queries: an rdflib Graph for ``--engine rdflib`` on a file, else the
    Oxigraph store behind the file or store directory."""
    from pathlib import Path

    from kg.store import is_store_dir, load_graph, open_source

    if engine == "rdflib" and not is_store_dir(graph):
        return load_graph(graph)
    return open_source(Path(graph))


def run_isolated(graph, text: str, params: dict | None, engine: str = "oxigraph", *,
                 timeout: float | None = None, memory_mb: float | None = None, **kwargs):
    """:func:`kg.query.query` on ``graph`` in a child process, stopped at ``timeout`` seconds (counted
    once the graph is open) or ``memory_mb`` MB; returns the QueryResult or raises its KGError."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, str(graph), engine, text, params, kwargs), daemon=True)
    proc.start()
    child.close()
    try:
        first = wait_answer(parent, proc.pid, None, memory_mb)
        if isinstance(first, Exception):
            raise first
        answer = wait_answer(parent, proc.pid, timeout, memory_mb)
        if isinstance(answer, Exception):
            raise answer
        return answer
    except EOFError:
        raise QueryError("the query process ended without an answer (out of memory?); narrow the query down") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
