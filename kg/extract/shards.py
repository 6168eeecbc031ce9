"""Extraction over shards of articles on other processes: a local pool (``kg build --workers N``)
or Dask workers (``--dask``, see :mod:`kg.extract.cluster`), with the output of one process.

Why two phases: the second extraction pass looks for every name the first pass found anywhere in
the corpus (see :func:`kg.extract.pipeline.extract_articles`), so the corpus-wide names are gathered
here between the two maps. Each phase maps :func:`run_shard` over contiguous shards of articles;
a shard comes back as plain records (each :class:`ArticleExtraction` without its article, which
the caller still holds) and the results are put back in article order, so the graph does not
depend on how the corpus was cut or which worker finished first.

A worker loads the pipeline once (:func:`init_worker`); the names of the second phase are added
to its pipeline once per phase, not per shard.
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


def init_worker(model: str | None, ontology_dir: str | None, parent: int | None = None) -> None:
    """Load the pipeline in this worker process (once: :func:`load_pipeline` is cached).

    A pipeline that cannot be loaded (a bad ``--model``) is not an error here, where it would
    only break the pool: :func:`run_shard` loads it again and its one-line error reaches the build.
    ``parent`` is the build's process: when it is gone (``kill -9``), this worker exits too."""
    from kg.errors import KGError
    from kg.extract.pipeline import load_pipeline

    if parent is not None:
        import threading

        threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="kg-parent-watch").start()
    _WORKER.update(model=model, ontology_dir=ontology_dir)
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
              ) -> tuple[list[tuple[int, ArticleExtraction]], list[str]]:
    """One extraction pass over a shard in a worker: ``(index in shard, extraction without its
    article)`` for each article that went through, and the error lines of those that did not."""
    from kg.extract.pipeline import _extract_pass, load_pipeline

    with _LOCK:
        nlp = load_pipeline(_WORKER.get("model"), _WORKER.get("ontology_dir"))
        _use_names(nlp, phase, names)
        errors: list[str] = []
        done = _extract_pass(nlp, articles, None, errors)
    index = {id(a): i for i, a in enumerate(articles)}
    return [(index[id(ex.article)], replace(ex, article=None)) for ex in done], errors


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
    """``--workers N``: a pool of N local processes, each with its own pipeline.

    The processes come from a fork server (never a fork of a parent that runs threads, such as the
    progress line), which imports spaCy once; each worker then loads the model once."""

    def __init__(self, workers: int, model: str | None = None, ontology_dir: str | None = None):
        import multiprocessing
        import os
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["kg.extract.shards", "kg.extract.pipeline", "spacy"])
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_worker,
                                         initargs=(model, ontology_dir, os.getpid()))

    def map(self, fn, jobs: list[tuple], shared: tuple = ()):
        """``(job index, result)`` of ``fn(*job, *shared)`` for each job, as they finish."""
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        from kg.errors import WorkerError

        futures = {self._pool.submit(fn, *job, *shared): i for i, job in enumerate(jobs)}
        try:
            for f in as_completed(futures):
                yield futures[f], f.result()
        except BrokenProcessPool:
            raise WorkerError(f"a process of --workers {self.workers} died (out of memory, or killed); the build "
                              "stopped and wrote nothing; run it again, with fewer --workers") from None

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def extract_sharded(runner, articles: list[Article], *, progress=None, second_progress=None,
                    errors: list | None = None, shard_chars: int = SHARD_CHARS) -> list[ArticleExtraction]:
    """What :func:`kg.extract.pipeline.extract_articles` returns, computed by ``runner``'s workers.

    ``progress`` / ``second_progress`` are called with the number of passages of each shard as it
    finishes, in the first and in the second pass; ``shard_chars`` caps a shard's text."""
    from kg.extract.pipeline import discovered_names

    first = _phase(runner, articles, None, "first", progress, errors, shard_chars)
    names = discovered_names([ex for ex in first if ex is not None])
    if not names:
        return [ex for ex in first if ex is not None]
    ok = [a for a, ex in zip(articles, first) if ex is not None]
    second = _phase(runner, ok, names, "second", second_progress, errors, shard_chars)
    return [ex for ex in second if ex is not None]


def _phase(runner, articles: list[Article], names, phase: str, progress, errors, shard_chars: int) -> list:
    """One pass over all shards; the extractions in article order (None where an article failed)."""
    import uuid

    shards = plan_shards(articles, runner.workers, shard_chars)
    token = f"{phase}-{uuid.uuid4().hex}"  # a new ruler for each phase, even of another build
    jobs = [([articles[i] for i in shard],) for shard in shards]
    out: list = [None] * len(articles)
    shard_errors: list[list[str]] = [[] for _ in shards]
    for k, (records, errs) in runner.map(run_shard, jobs, (names, token)):
        for i, ex in records:
            out[shards[k][i]] = replace(ex, article=articles[shards[k][i]])
        shard_errors[k] = errs
        if progress is not None:
            progress(sum(len(articles[i].passages) for i in shards[k]))
    if errors is not None:
        for errs in shard_errors:
            errors.extend(errs)
    return out
