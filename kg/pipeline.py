"""The end-to-end job: ingest -> extract -> resolve -> rdf, and writing the outputs.

``build_graph(inputs)`` returns a :class:`BuildResult` (graph, summary, problems) and never
prints; ``write_outputs`` writes ``graph.ttl`` (and ``graph.html``) atomically.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF

from kg.ingest import IngestReport, read_inputs
from kg.rdf.namespace import ENTITY_CLASSES, PKG, PREDICATES


@dataclass
class BuildResult:
    graph: Graph
    report: IngestReport
    articles: int
    summary: dict = field(default_factory=dict)


def build_graph(inputs, *, model: str | None = None, min_confidence: float = 0.0, progress=None, stdin=None,
                ontology_dir: str | None = None, step=None, workers: int | None = 1,
                dask: str | None = None, select=None) -> BuildResult:
    """Build the knowledge graph of the given inputs (files, directories, '-' for stdin).

    ``progress``, if given, is called once with the number of passages to analyse and returns a
    callable that is then called with the number of passages done (a progress bar's ``update``).
    ``step``, if given, is called as ``step(name, total)`` when each stage begins (total: the
    number of items when known) and may return such a callable for that stage.

    ``workers``: extraction processes on this machine (None: the machine's cores when the corpus is
    big enough to gain from them); ``dask``: a Dask scheduler address or ``"local"`` to extract on
    Dask workers instead. The graph is the same whichever is used. ``select``, if given, is called
    with the articles read and returns those to build (an incremental build leaves out those its
    store already holds).
    """
    from kg.extract.pipeline import extract_articles, load_pipeline
    from kg.extract.reference import load_reference
    from kg.rdf.mapping import to_graph
    from kg.resolve.entities import resolve

    def stage(name: str, total: int | None = None):
        return step(name, total) if step is not None else None

    articles, report = read_inputs([str(i) for i in inputs], stdin=stdin, progress=stage("reading inputs"))
    if select is not None:
        articles = select(articles)
    passages = sum(len(a.passages) for a in articles)

    def second():
        return stage("extracting, second pass", passages)

    with _runner(articles, workers, dask, model, ontology_dir) as runner:
        if runner is None and articles:  # (an incremental build may have nothing left to do)
            stage("loading the model")
            nlp = load_pipeline(model, ontology_dir)
        tick = progress(passages) if progress is not None else stage("extracting", passages)
        if not articles:
            extractions = []
        elif runner is None:
            extractions = extract_articles(nlp, articles, progress=tick, errors=report.errors,
                                           second_progress=_Deferred(second))
        else:
            from kg.extract.shards import extract_sharded

            extractions = extract_sharded(runner, articles, progress=tick, errors=report.errors,
                                          second_progress=_Deferred(second))
    stage("resolving entities")
    resolution = resolve(extractions, load_reference(ontology_dir))
    stage("making the RDF graph")
    graph = to_graph(resolution, min_confidence=min_confidence)
    stage("counting")
    return BuildResult(graph=graph, report=report, articles=len(articles), summary=summarise(graph))


# Below this many characters of text a pool of processes costs more than it saves (start-up and
# a model per worker: a few seconds), so ``workers=None`` runs in this process.
PARALLEL_MIN_CHARS = 300_000


def default_workers() -> int:
    """The cores this process may use."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _runner(articles, workers: int | None, dask: str | None, model, ontology_dir):
    """The context of the workers extraction runs on (None inside: this process)."""
    import contextlib

    if dask:
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            from kg.errors import WorkerError

            raise WorkerError("--dask needs Dask, which is not installed: pip install 'platform-kg[dask]'")
        from kg.extract.cluster import DaskRunner

        return DaskRunner(dask, workers=workers, model=model, ontology_dir=ontology_dir)
    if workers is None:
        big = sum(len(p.text) for a in articles for p in a.passages) >= PARALLEL_MIN_CHARS
        workers = default_workers() if big else 1
    if workers > 1 and len(articles) > 1:
        from kg.extract.shards import LocalPool

        return LocalPool(workers, model=model, ontology_dir=ontology_dir)
    return contextlib.nullcontext()


class _Deferred:
    """A progress callable made on first use (the second pass's stage begins when it is counted)."""

    def __init__(self, make):
        self._make, self._tick, self._made = make, None, False

    def __call__(self, n: int) -> None:
        if not self._made:
            self._tick, self._made = self._make(), True
        if self._tick is not None:
            self._tick(n)


def summarise(graph: Graph) -> dict:
    """Counts a person wants after a build: articles, entities per class, facts per predicate, metrics."""
    classes = Counter()
    for cls in ENTITY_CLASSES:
        n = len(set(graph.subjects(RDF.type, PKG[cls])))
        if n:
            classes[cls] = n
    preds = Counter()
    for p in PREDICATES:
        n = len(set(graph.subject_objects(PKG[p])))
        if n:
            preds[p] = n
    statements = Counter(str(graph.value(st, PKG.modality)) for st in graph.subjects(RDF.type, RDF.Statement))
    return {
        "triples": len(graph),
        "articles": len(set(graph.subjects(RDF.type, PKG.Article))),
        "entities": dict(sorted(classes.items())),
        "relations": dict(sorted(preds.items())),
        "statements_by_modality": dict(sorted(statements.items())),
        "metrics": len(set(graph.subjects(RDF.type, PKG.Metric))),
    }


def write_outputs(result: BuildResult, out_dir: str | Path, *, html: bool = True, store: str | None = None) -> dict:
    """Write ``graph.ttl`` (and ``graph.html``) into ``out_dir``; return their paths.

    Both are rendered and written to temp files first, then renamed in a row, so an interrupted
    build leaves the previous pair untouched (never a new graph.ttl beside an old graph.html);
    temp files a killed build left behind are removed first.
    """
    from kg.util import remove_leftovers, replace_together

    out = Path(out_dir)
    ttl = out / "graph.ttl"
    page = out / "graph.html"
    for target in (ttl, page):
        remove_leftovers(target)
    contents = {ttl: result.graph.serialize(format="turtle")}
    paths = {"graph": str(ttl)}
    if html:
        from kg.viz import render_html

        contents[page] = render_html(result.graph)[0]
        paths["html"] = str(page)
    replace_together(contents)
    return paths
