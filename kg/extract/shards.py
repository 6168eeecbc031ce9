"""Extraction over shards of articles on other processes: a local pool (``kg build --workers N``)
or Dask workers (``--dask``, see :mod:`kg.extract.cluster`), with the output of one process.

Why two phases: the second extraction pass looks for every name the first pass found anywhere in
the corpus (see :func:`kg.extract.pipeline.extract_articles`), so the corpus-wide names are gathered
here between the two maps. Each phase maps :func:`run_shard` over contiguous shards of articles;
a shard comes back as plain records (each :class:`ArticleExtraction` without its article, which
the caller still holds) and the results are put back in article order, so the graph does not
depend on how the corpus was cut or which worker finished first.

A worker loads the pipeline once (:func:`init_worker`); the names of the second phase are added
to its pipeline once per phase, not per shard. Like one process, a worker keeps what the second
pass can reuse of the first (the Docs before the names ruler, the NER's token vectors; see
:func:`kg.extract.pipeline.extract_articles`), and each shard of the second phase is sent to the
worker that ran it in the first (``where``); on another worker (a restarted one) it is simply
analysed whole, with the same result.
"""
from __future__ import annotations

import threading
from dataclasses import replace

from kg.extract.types import ArticleExtraction
from kg.ingest.article import Article

# The largest shard, in characters of passage text: big enough that sending it costs little next
# to analysing it, small enough that a lost worker loses little and the workers stay balanced.
SHARD_CHARS = 1_000_000
# Shards per worker when the corpus is small, so one slow shard does not leave the others idle.
SHARDS_PER_WORKER = 4

_WORKER: dict = {}
_LOCK = threading.Lock()  # a worker with several threads: one pipeline, one shard at a time


def plan_shards(articles: list[Article], workers: int, max_chars: int = SHARD_CHARS) -> list[range]:
    """Contiguous ranges of article indexes, each of about the same number of characters."""
    sizes = [sum(len(p.text) for p in a.passages) + len(a.title) for a in articles]
    target = max(1, min(max_chars, sum(sizes) // max(1, workers * SHARDS_PER_WORKER)))
    shards, start, size = [], 0, 0
    for i, n in enumerate(sizes):
        size += n
        if size >= target:
            shards.append(range(start, i + 1))
            start, size = i + 1, 0
    if start < len(articles):
        shards.append(range(start, len(articles)))
    return shards


def init_worker(model: str | None, ontology_dir: str | None, parent: int | None = None, where=None) -> None:
    """Load the pipeline in this worker process (once: :func:`load_pipeline` is cached).

    A pipeline that cannot be loaded (a bad ``--model``) is not an error here, where it would
    only break the pool: :func:`run_shard` loads it again and its one-line error reaches the build.
    ``parent`` is the build's process: when it is gone (``kill -9``), this worker exits too.
    ``where`` names this worker to its runner (see :func:`run_shard`)."""
    from kg.errors import KGError
    from kg.extract.pipeline import load_pipeline

    if parent is not None:
        import threading

        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="kg-parent-watch").start()
    _WORKER.update(model=model, ontology_dir=ontology_dir, where=where)
    try:
        load_pipeline(model, ontology_dir)
    except KGError:
        pass


def _exit_with(parent: int, interval: float = 1.0) -> None:
    """A worker of a killed build would wait for work forever (it holds its own end of the job
    queue), and keep the fork server alive with it: leave as soon as the build's process is gone."""
    import os
    import time

    while True:
        time.sleep(interval)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # a pid reused by another user's process: ours is gone
            os._exit(1)


def run_shard(articles: list[Article], names: dict[str, str] | None, phase: str
              ) -> tuple[list[tuple[int, ArticleExtraction]], list[str], object]:
    """One extraction pass over a shard in a worker: ``(index in shard, extraction without its
    article)`` for each article that went through, the error lines of those that did not, and
    which worker this is (the runner sends the shard's second phase there).

    ``phase`` is ``first-BUILD`` (no names; keeps the Docs and the NER's vectors for the second
    phase, leaves out the figures), ``second-BUILD`` (with the names; uses what the first kept) or
    anything else (a whole pass)."""
    from kg.extract.pipeline import _extract_pass, load_pipeline

    with _LOCK:
        nlp = load_pipeline(_WORKER.get("model"), _WORKER.get("ontology_dir"))
        kept, memo = _kept_for(nlp, phase)
        _use_names(nlp, phase, names)
        errors: list[str] = []
        first = phase.startswith("first-")
        memo.recording = first
        done = _extract_pass(nlp, articles, None, errors, kept=kept, record=first, figures=not first)
    index = {id(a): i for i, a in enumerate(articles)}
    return [(index[id(ex.article)], replace(ex, article=None)) for ex in done], errors, _WORKER.get("where")


def _kept_for(nlp, phase: str):
    """This worker's kept Docs (None outside a build's two phases) and its NER vectors memo, both
    emptied when a build's first phase begins (what an earlier build left is of no use)."""
    import contextlib

    from kg.extract.pipeline import _ner_features_once

    if "memo" not in _WORKER:
        stack = contextlib.ExitStack()
        _WORKER.update(memo=stack.enter_context(_ner_features_once(nlp)), memo_stack=stack, kept={})
    build = phase.split("-", 1)[-1]
    if phase.startswith("first-") and _WORKER.get("build") != build:
        _WORKER["kept"].clear()
        _WORKER["memo"].vectors.clear()
        _WORKER["build"] = build
    in_build = phase.startswith(("first-", "second-")) and _WORKER.get("build") == build
    return (_WORKER["kept"] if in_build else None), _WORKER["memo"]


def _use_names(nlp, phase: str, names: dict[str, str] | None) -> None:
    """The found-names ruler of this phase on the worker's pipeline (built once per phase)."""
    from kg.extract.pipeline import NAMES_RULER, add_names_ruler

    if _WORKER.get("phase") == phase:
        return
    if NAMES_RULER in nlp.pipe_names:
        nlp.remove_pipe(NAMES_RULER)
    if names:
        add_names_ruler(nlp, names)
    _WORKER["phase"] = phase


class LocalPool:
    """``--workers N``: N local processes, each with its own pipeline and its own queue of shards
    (so a shard's second phase can go to the process that ran its first).

    The processes come from a fork server (never a fork of a parent that runs threads, such as the
    progress line), which imports spaCy once; each worker then loads the model once."""

    def __init__(self, workers: int, model: str | None = None, ontology_dir: str | None = None):
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["kg.extract.shards", "kg.extract.pipeline", "spacy"])
        self._pools = [ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=init_worker,
                                           initargs=(model, ontology_dir, os.getpid(), k)) for k in range(workers)]

    def map(self, fn, jobs: list[tuple], shared: tuple = (), where: list | None = None):
        """``(job index, result)`` of ``fn(*job, *shared)`` for each job, as they finish. A job
        goes to the process ``where`` names for it (a result's last item names the process that
        made it); the others to whichever process is free (two queued at most per process)."""
        from collections import deque
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        from kg.errors import WorkerError

        where = where or [None] * len(jobs)
        futures: dict = {}
        for i, job in enumerate(jobs):
            if where[i] is not None:
                futures[self._pools[where[i] % self.workers].submit(fn, *job, *shared)] = (i, where[i])
        free = deque(i for i in range(len(jobs)) if where[i] is None)
        load = [sum(1 for _, k in futures.values() if k == w) for w in range(self.workers)]

        def fill():
            while free and min(load) < 2:
                k = load.index(min(load))
                i = free.popleft()
                futures[self._pools[k].submit(fn, *jobs[i], *shared)] = (i, k)
                load[k] += 1

        try:
            fill()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for f in done:
                    i, k = futures.pop(f)
                    load[k] -= 1
                    yield i, f.result()
                fill()
        except BrokenProcessPool:
            raise WorkerError(f"a process of --workers {self.workers} died (out of memory, or killed); the build "
                              "stopped and wrote nothing; run it again, with fewer --workers") from None

    def close(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=False, cancel_futures=True)
        for pool in self._pools:
            pool.shutdown(cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def extract_sharded(runner, articles: list[Article], *, progress=None, second_progress=None,
                    errors: list | None = None, shard_chars: int = SHARD_CHARS, found=None) -> list[ArticleExtraction]:
    """What :func:`kg.extract.pipeline.extract_articles` returns, computed by ``runner``'s workers.

    ``progress`` / ``second_progress`` are called with the number of passages of each shard as it
    finishes, in the first and in the second pass; ``shard_chars`` caps a shard's text; ``found``
    carries the names of earlier windows (:class:`kg.extract.pipeline.FoundNames`). The second
    phase has the first's shards (less the articles that failed), each on the worker that ran it."""
    import uuid

    from kg.extract.pipeline import discovered_names

    build = uuid.uuid4().hex  # a new ruler and new kept Docs for each build
    shards = plan_shards(articles, runner.workers, shard_chars)
    first, placed = _phase(runner, articles, shards, None, f"first-{build}", progress, errors)
    names = discovered_names([ex for ex in first if ex is not None], found)
    # (without names, the second phase is the first with its figures, from the same kept Docs)
    ok_shards = [[i for i in shard if first[i] is not None] for shard in shards]
    kept_where = [w for w, shard in zip(placed, ok_shards) if shard]
    ok_shards = [shard for shard in ok_shards if shard]
    second, _ = _phase(runner, articles, ok_shards, names or None, f"second-{build}", second_progress, errors,
                       where=kept_where)
    return [ex for ex in second if ex is not None]


def _phase(runner, articles: list[Article], shards: list, names, phase: str, progress, errors,
           where: list | None = None) -> tuple[list, list]:
    """One pass over all shards: the extractions in article order (None where an article failed
    or is in no shard), and the worker that ran each shard."""
    jobs = [([articles[i] for i in shard],) for shard in shards]
    out: list = [None] * len(articles)
    placed: list = [None] * len(shards)
    shard_errors: list[list[str]] = [[] for _ in shards]
    for k, (records, errs, worker) in runner.map(run_shard, jobs, (names, phase), where=where):
        for i, ex in records:
            out[shards[k][i]] = replace(ex, article=articles[shards[k][i]])
        shard_errors[k], placed[k] = errs, worker
        if progress is not None:
            progress(sum(len(articles[i].passages) for i in shards[k]))
    if errors is not None:
        for errs in shard_errors:
            errors.extend(errs)
    return out, placed
