"""The end-to-end job: ingest -> extract -> resolve -> rdf, and writing the outputs.

``build_graph(inputs)`` returns a :class:`BuildResult` (graph, summary, problems) and never
prints; ``write_outputs`` writes ``graph.ttl`` (and ``graph.html``) atomically.

A corpus is extracted in windows of articles (``window``, characters of text): the Docs and
vectors extraction keeps between its two passes are those of one window, and the names each
window's first pass finds are carried to the next windows (:class:`kg.extract.pipeline.FoundNames`).
A corpus of one window (the default window holds about 80,000 words) gives exactly the graph one
pass over the whole corpus gives. A streamed build (``output="nq"``, the default for more
than one window) also keeps no graph: each window's records go to disk as they are made, are
resolved from there (:mod:`kg.resolve.stream`) and written as sorted N-Quads
(:mod:`kg.rdf.nquads`), so memory holds one window and the entity registry, not the corpus.
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
    graph: Graph | None  # None for a streamed build: see ``streamed``
    report: IngestReport
    articles: int
    summary: dict = field(default_factory=dict)
    streamed: StreamedGraph | None = None  # the records of a streamed build, written by write_outputs
    windows: int = 1


# Characters of article text per window: about 80,000 words of news, a few hundred MB of kept
# Docs and NER vectors at most; the corpora of the tests, the dev set and train/ are one window.
WINDOW_CHARS = 500_000
OUTPUTS = ("auto", "ttl", "nq")


def plan_windows(articles: list, window: int = WINDOW_CHARS) -> list[range]:
    """Contiguous ranges of article indexes of at most ``window`` characters each (an article is
    never cut: a longer one is a window of its own), about even in size; one range for a corpus
    of one window."""
    sizes = [sum(len(p.text) for p in a.passages) + len(a.title) for a in articles]
    target = sum(sizes) / max(1, -(-sum(sizes) // max(1, window)))  # <= window
    out, start, size = [], 0, 0
    for i, n in enumerate(sizes):
        if size and size + n > target:
            out.append(range(start, i))
            start, size = i, 0
        size += n
    out.append(range(start, len(articles)))
    return out


def build_graph(inputs, *, model: str | None = None, min_confidence: float = 0.0, progress=None, stdin=None,
                ontology_dir: str | None = None, step=None, workers: int | None = 1,
                dask: str | None = None, select=None, window: int = WINDOW_CHARS,
                output: str = "auto") -> BuildResult:
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

    ``window``: characters of article text extracted together (see the module docstring).
    ``output``: ``"ttl"`` makes the rdflib graph (``BuildResult.graph``), ``"nq"`` streams
    (``BuildResult.streamed``, written by :func:`write_outputs`), ``"auto"`` streams when the
    corpus is more than one window.
    """
    from kg.extract.pipeline import FoundNames, extract_articles, load_pipeline
    from kg.extract.reference import load_reference
    from kg.rdf.mapping import to_graph
    from kg.resolve.entities import resolve

    def stage(name: str, total: int | None = None):
        return step(name, total) if step is not None else None

    articles, report = read_inputs([str(i) for i in inputs], stdin=stdin, progress=stage("reading inputs"))
    if select is not None:
        articles = select(articles)
    passages = sum(len(a.passages) for a in articles)
    windows = plan_windows(articles, window)
    streaming = output == "nq" or (output == "auto" and len(windows) > 1)

    def second():
        return stage("extracting, second pass", passages)

    with _runner(articles, workers, dask, model, ontology_dir) as runner:
        if runner is None and articles:  # (an incremental build may have nothing left to do)
            stage("loading the model")
            nlp = load_pipeline(model, ontology_dir)
        if len(windows) == 1:
            tick = progress(passages) if progress is not None else stage("extracting", passages)
            later = _Deferred(second)
        else:  # both passes of each window in turn: one count of passages, each half done after its first pass
            tick = later = _Halves(progress(passages) if progress is not None else stage("extracting", passages))
        sink: list | Spool = []
        if streaming:
            import tempfile

            from kg.resolve.stream import Spool

            tmp = tempfile.TemporaryDirectory(prefix="kg-build-")
            sink = Spool(tmp.name)
        found = FoundNames()
        for span in windows if articles else ():
            part = [articles[i] for i in span]
            if runner is None:
                done = extract_articles(nlp, part, progress=tick, errors=report.errors, second_progress=later,
                                        found=found)
            else:
                from kg.extract.shards import extract_sharded

                done = extract_sharded(runner, part, progress=tick, errors=report.errors, second_progress=later,
                                       found=found)
            if streaming:
                for ex in done:
                    sink.add(ex)
            else:
                sink.extend(done)
            if isinstance(tick, _Halves):  # (the passages of an article that failed in the first pass)
                tick.reach(2 * sum(len(a.passages) for a in part))
            del done, part
    if streaming:
        sink.close()
        return BuildResult(graph=None, report=report, articles=len(articles), windows=len(windows),
                           streamed=StreamedGraph(sink, tmp, load_reference(ontology_dir), min_confidence))
    stage("resolving entities")
    resolution = resolve(sink, load_reference(ontology_dir))
    stage("making the RDF graph")
    graph = to_graph(resolution, min_confidence=min_confidence)
    stage("counting")
    return BuildResult(graph=graph, report=report, articles=len(articles), summary=summarise(graph),
                       windows=len(windows))


class StreamedGraph:
    """The records of a streamed build (on disk) and what their resolution needs; :meth:`write`
    resolves them and writes the graph as sorted N-Quads, one named graph per article."""

    def __init__(self, spool, tmp, reference, min_confidence: float = 0.0):
        self.spool, self._tmp, self.reference, self.min_confidence = spool, tmp, reference, min_confidence

    def write(self, path: str | Path, step=None) -> dict:
        """Write ``path`` (replaced whole); the summary :func:`summarise` gives of the same graph."""
        from kg.rdf.mapping import add_entities, add_extraction
        from kg.rdf.nquads import SortedLines, quad_lines
        from kg.resolve.entities import Resolver
        from kg.resolve.stream import resolved

        if step is not None:
            step("resolving entities and writing N-Quads")
        lines, counts = SortedLines(self._tmp.name), _Counts()
        resolver = Resolver(self.reference)
        used: set[str] = set()
        for ex, mentions, notes in resolved(self.spool, self.reference, resolver):
            g = Graph()
            anode = add_extraction(g, ex, mentions.__getitem__, resolver.entities, notes, used, self.min_confidence)
            lines.add(quad_lines(g, anode))
            counts.add(g)
        g = Graph()
        add_entities(g, (resolver.entities[eid] for eid in sorted(used)))
        lines.add(quad_lines(g))
        counts.add(g)
        lines.write(path)
        return counts.summary()

    def close(self) -> None:
        self.spool.close()
        self._tmp.cleanup()


class _Counts:
    """:func:`summarise` of a graph given in parts (each article's, then the entities'): only a
    direct fact can be in several parts (stated by several articles), so those are kept as a set;
    every other triple is counted once."""

    def __init__(self):
        self.triples, self.articles, self.metrics = 0, 0, 0
        self.direct: set = set()
        self.classes: Counter = Counter()
        self.modality: Counter = Counter()

    def add(self, g: Graph) -> None:
        facts = {PKG[p] for p in PREDICATES}
        for t in g:
            if t[1] in facts:
                self.direct.add(t)
            else:
                self.triples += 1
        self.articles += len(set(g.subjects(RDF.type, PKG.Article)))
        self.metrics += len(set(g.subjects(RDF.type, PKG.Metric)))
        for cls in ENTITY_CLASSES:
            self.classes[cls] += len(set(g.subjects(RDF.type, PKG[cls])))
        self.modality.update(str(g.value(st, PKG.modality)) for st in g.subjects(RDF.type, RDF.Statement))

    def summary(self) -> dict:
        preds = Counter(str(p)[len(str(PKG)):] for _, p, _ in self.direct)
        return {
            "triples": self.triples + len(self.direct),
            "articles": self.articles,
            "entities": dict(sorted((k, v) for k, v in self.classes.items() if v)),
            "relations": dict(sorted((p, n) for p, n in preds.items() if p in PREDICATES)),
            "statements_by_modality": dict(sorted(self.modality.items())),
            "metrics": self.metrics,
        }


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


class _Halves:
    """A progress count of passages fed with both passes' ticks: two ticks make one passage."""

    def __init__(self, tick):
        self._tick, self._halves, self._base = tick, 0, 0

    def __call__(self, n: int) -> None:
        before = self._halves // 2
        self._halves += n
        if self._tick is not None and self._halves // 2 > before:
            self._tick(self._halves // 2 - before)

    def reach(self, window_halves: int) -> None:
        """The end of a window of ``window_halves`` ticks: count what its failed articles did not tick."""
        self._base += window_halves
        if self._halves < self._base:
            self(self._base - self._halves)


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
    counts = _Counts()
    counts.add(graph)
    return counts.summary()


def write_outputs(result: BuildResult, out_dir: str | Path, *, html: bool = True, store: str | None = None,
                  step=None) -> dict:
    """Write ``graph.ttl`` (and ``graph.html``) into ``out_dir``; return their paths.

    Both are rendered and written to temp files first, then renamed in a row, so an interrupted
    build leaves the previous pair untouched (never a new graph.ttl beside an old graph.html);
    temp files a killed build left behind are removed first. A streamed build writes
    ``graph.nq`` instead (also replaced whole) and sets ``result.summary``; it has no graph.html.
    """
    from kg.util import remove_leftovers, replace_together

    out = Path(out_dir)
    if result.streamed is not None:
        nq = out / "graph.nq"
        out.mkdir(parents=True, exist_ok=True)
        remove_leftovers(nq)
        try:
            result.summary = result.streamed.write(nq, step)
        finally:
            result.streamed.close()
        return {"graph": str(nq)}
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
