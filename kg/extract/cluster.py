"""``kg build --dask ADDRESS|local``: the extraction shards of :mod:`kg.extract.shards` on Dask workers.

Needs the extra ``pip install 'platform-kg[dask]'`` here and on every worker machine (the workers
import :mod:`kg` to run a shard). A :class:`PipelinePlugin` loads the spaCy pipeline once per
worker process when it joins; each shard (up to a megabyte of text) is one task returning plain
records. A shard whose task raises is retried (``RETRIES``); a shard whose worker dies is given to
another worker by the scheduler (up to ``distributed.scheduler.allowed-failures`` times, 3 by
default). Resolution and writing happen here, in the client, as in a serial build.

The pipeline of a worker is not shared between threads at the same time (shards take a lock), so
start workers with one thread each and as many processes as cores: ``dask worker ADDRESS
--nworkers auto --nthreads 1``.
"""
from __future__ import annotations

from distributed import WorkerPlugin

from kg.errors import WorkerError

RETRIES = 2
CONNECT_TIMEOUT = "20s"


class PipelinePlugin(WorkerPlugin):
    """Loads the pipeline in each worker process as it starts (and again in a restarted one)."""

    name = "kg-pipeline"

    def __init__(self, model: str | None, ontology_dir: str | None):
        self.model, self.ontology_dir = model, ontology_dir

    def setup(self, worker) -> None:
        from kg.extract.shards import init_worker

        init_worker(self.model, self.ontology_dir, where=worker.address)


def _same(x):
    return x


class DaskRunner:
    """A Dask client (and, for ``"local"``, a LocalCluster of ``workers`` processes) to map shards on."""

    def __init__(self, address: str, *, workers: int | None = None, model: str | None = None,
                 ontology_dir: str | None = None):
        from distributed import Client, LocalCluster

        self._cluster = None
        try:
            if address == "local":
                from kg.pipeline import default_workers

                self._cluster = LocalCluster(n_workers=workers or default_workers(), threads_per_worker=1,
                                             processes=True, dashboard_address=None)
                self.client = Client(self._cluster)
            else:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as e:
            self.close()
            raise WorkerError(f"cannot reach the Dask scheduler at {address} ({e}); start one with `dask scheduler` "
                              f"and workers with `dask worker {address}`, or pass --dask local") from None
        self.client.register_plugin(PipelinePlugin(model, ontology_dir))
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))

    def map(self, fn, jobs: list[tuple], shared: tuple = (), where: list | None = None):
        """``(job index, result)`` of ``fn(*job, *shared)`` for each job, as they finish.

        ``shared`` goes to the scheduler once, as the result of a task rather than scattered data:
        a worker that dies holding it loses nothing, the scheduler computes it again. ``where``
        names, for each job, the worker address it should preferably run on (a result's last
        item names the worker that made it), or None."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        shared_f = [self.client.submit(_same, x, pure=False) for x in shared]
        where = where or [None] * len(jobs)
        futures = [self.client.submit(fn, *job, *shared_f, pure=False, retries=RETRIES,
                                      **({"workers": [where[i]], "allow_other_workers": True} if where[i] else {}))
                   for i, job in enumerate(jobs)]
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for f in as_completed(futures):
                yield index[f.key], f.result()
        except KilledWorker as e:
            raise WorkerError(f"an extraction shard killed every Dask worker it was given to ({e}); "
                              "the workers may lack memory: give them more, or use more of them") from None
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
