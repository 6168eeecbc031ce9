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
                ontology_dir: str | None = None, step=None) -> BuildResult:
    """Build the knowledge graph of the given inputs (files, directories, '-' for stdin).

    ``progress``, if given, is called once with the number of passages to analyse and returns a
    callable that is then called with the number of passages done (a progress bar's ``update``).
    ``step``, if given, is called as ``step(name, total)`` when each stage begins (total: the
    number of items when known) and may return such a callable for that stage.
    """
    from kg.extract.pipeline import extract_articles, load_pipeline
    from kg.extract.reference import load_reference
    from kg.rdf.mapping import to_graph
    from kg.resolve.entities import resolve

    def stage(name: str, total: int | None = None):
        return step(name, total) if step is not None else None

    articles, report = read_inputs([str(i) for i in inputs], stdin=stdin, progress=stage("reading inputs"))
    stage("loading the model")
    nlp = load_pipeline(model, ontology_dir)
    passages = sum(len(a.passages) for a in articles)
    tick = progress(passages) if progress is not None else stage("extracting", passages)
    extractions = extract_articles(nlp, articles, progress=tick, errors=report.errors)
    stage("resolving entities")
    resolution = resolve(extractions, load_reference(ontology_dir))
    stage("making the RDF graph")
    graph = to_graph(resolution, min_confidence=min_confidence)
    stage("counting")
    return BuildResult(graph=graph, report=report, articles=len(articles), summary=summarise(graph))


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
