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
                ontology_dir: str | None = None) -> BuildResult:
    """Build the knowledge graph of the given inputs (files, directories, '-' for stdin).

    ``progress``, if given, is called once with the number of passages to analyse and returns a
    callable that is then called with the number of passages done (a progress bar's ``update``).
    """
    from kg.extract.pipeline import extract_articles, load_pipeline
    from kg.extract.reference import load_reference
    from kg.rdf.mapping import to_graph
    from kg.resolve.entities import resolve

    articles, report = read_inputs([str(i) for i in inputs], stdin=stdin)
    nlp = load_pipeline(model, ontology_dir)
    tick = progress(sum(len(a.passages) for a in articles)) if progress is not None else None
    extractions = extract_articles(nlp, articles, progress=tick, errors=report.errors)
    resolution = resolve(extractions, load_reference(ontology_dir))
    graph = to_graph(resolution, min_confidence=min_confidence)
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
    """Write ``graph.ttl`` (and ``graph.html``) into ``out_dir`` atomically; return their paths."""
    from kg.util import atomic_write

    out = Path(out_dir)
    paths = {}
    ttl = out / "graph.ttl"
    data = result.graph.serialize(format="turtle")
    with atomic_write(ttl) as fh:
        fh.write(data)
    paths["graph"] = str(ttl)
    if html:
        from kg.viz import write_html

        page = out / "graph.html"
        write_html(result.graph, page)
        paths["html"] = str(page)
    return paths
