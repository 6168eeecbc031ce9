"""``kg build``: news files -> out/graph.ttl (+ graph.html)."""
from __future__ import annotations

import sys

import click

from kg.cli.options import inputs_argument, min_confidence_option, model_option, reference_option


@click.command()
@inputs_argument
@click.option("-o", "--output", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Output directory (graph.ttl, graph.html).")
@click.option("--html/--no-html", default=True, show_default=True, help="Also write the interactive graph.html.")
@click.option("--store", "store_dir", default=None, type=click.Path(file_okay=False),
              help="Also add the graph to an Oxigraph store directory (one named graph per article); articles "
                   "the store already holds unchanged are not built again, changed ones replace theirs.")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Run the SHACL shapes on the result and report the violation count.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Extraction processes on this machine [default: its cores, for corpora big enough to gain].")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Extract on a Dask cluster: a scheduler address (tcp://HOST:8786) or 'local' for a cluster of "
                   "--workers processes here (needs the extra: pip install 'platform-kg[dask]').")
@click.option("--window", type=click.IntRange(min=1), default=None, metavar="CHARS",
              help="Characters of article text extracted together; the names found in a window are carried to the "
                   "next ones, memory holds one window [default: 500000, about 80,000 words].")
@click.option("--format", "fmt", type=click.Choice(["auto", "ttl", "nq"]), default="auto", show_default=True,
              help="graph.ttl (with graph.html and SHACL validation; the graph in memory) or graph.nq (sorted N-Quads, "
                   "one named graph per article, written as a stream); auto: nq for a corpus of more than one window.")
@model_option
@reference_option
@min_confidence_option
@click.option("-q", "--quiet", is_flag=True, help="No summary and no progress lines, only errors.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the summary as one JSON object on stdout (errors still go to stderr, one line each).")
def build(inputs, out_dir, html, store_dir, validate, workers, dask_address, window, fmt, model, min_confidence, quiet,
          as_json):
    """Build the knowledge graph of INPUT files or directories (default: data/; '-' reads stdin).

    Reads digests, plain .txt/.md articles and JSON Lines (UTF-8, or UTF-16 with a BOM); writes
    OUT/graph.ttl and, unless --no-html, OUT/graph.html, both replaced together. Bad inputs are
    reported one line each and skipped (FIFOs and other special files are never opened); the
    exit status is 1 if any input or article failed, and a previous graph is only ever replaced
    whole. A long build prints a progress line on stderr every 10 s when not on a terminal.

    A corpus bigger than one --window is streamed: each window's extractions go to disk as they
    are made and OUT/graph.nq is written without the whole graph in memory (validate it with
    `kg validate OUT/graph.nq`). With --store the graph is made in memory (as graph.ttl).

    \b
    Example:
        kg build data/ -o out/
        kg build news.jsonl more/ --min-confidence 0.7 --store out/store
        kg build data/ --reference my-entities.json
        kg build data/ --json | jq .triples
        kg build year-of-news/ --workers 8 -o year/      # writes year/graph.nq
        kg build year-of-news/ --dask tcp://scheduler:8786
    """
    import os

    from kg.cli.options import Progress
    from kg.errors import KGError

    if store_dir and fmt == "nq":
        raise click.UsageError("--store adds the graph from memory: leave out --format nq (or build graph.nq and "
                               "add it with `kg load out/graph.nq --store DIR`)")
    inputs = list(inputs) or ["data"]
    try:
        with Progress("kg build", enabled=not quiet) as progress:
            summary = _build(inputs, out_dir, html, store_dir, validate, model, min_confidence, progress,
                             workers=workers, dask=dask_address, window=window, fmt=fmt)
    except KGError:
        raise
    except Exception as e:  # a bug of ours: one line, nothing (more) written, never a traceback
        if os.environ.get("KG_DEBUG"):
            raise
        click.secho(f"Error: internal error in kg build ({type(e).__name__}: {e}); the build stopped, outputs "
                    "are the previous ones or complete (set KG_DEBUG=1 for the traceback and please report it)",
                    fg="red", err=True)
        sys.exit(2)
    if as_json:
        import json

        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    elif not quiet:
        s = summary
        if s["unchanged"]:
            click.echo(f"Unchanged in the store (not built again): {s['unchanged']} articles")
        if not s["articles"]:
            click.echo(f"Nothing to build; the store {s['outputs']['store']} is up to date")
            sys.exit(1 if s["errors"] else 0)
        click.echo(f"Articles: {s['articles']}   triples: {s['triples']}   metrics: {s['metrics']}")
        click.echo("Entities:  " + ", ".join(f"{k} {v}" for k, v in s["entities"].items()))
        click.echo("Relations: " + ", ".join(f"{k} {v}" for k, v in s["relations"].items()))
        click.echo("Statements by modality: " + ", ".join(f"{k} {v}" for k, v in s["statements_by_modality"].items()))
        if s["shacl_violations"] is not None:
            click.echo(f"SHACL violations: {s['shacl_violations']}")
        elif s["streamed"] and validate:
            click.echo(f"Not validated (a streamed build): run `kg validate {s['outputs']['graph']}`")
        for kind, p in s["outputs"].items():
            click.echo(f"Wrote {kind}: {p}")
    if summary["errors"]:
        sys.exit(1)


def _build(inputs, out_dir, html, store_dir, validate, model, min_confidence, progress, *, workers=None,
           dask=None, window=None, fmt="auto") -> dict:
    """Run the build and write its outputs; the summary (what --json prints)."""
    from kg.cli.options import echo_problems
    from kg.pipeline import WINDOW_CHARS, build_graph, write_outputs

    select, seen = None, {}
    if store_dir:
        from kg.store.incremental import plan

        def select(articles):
            seen["plan"] = plan(articles, store_dir)
            return seen["plan"].build

    result = build_graph(inputs, model=model, min_confidence=min_confidence, step=progress.step, workers=workers,
                         dask=dask, select=select, window=window or WINDOW_CHARS,
                         output="ttl" if store_dir else fmt)
    with progress.clear():
        echo_problems(result.report)
    unchanged = seen["plan"].unchanged if "plan" in seen else 0
    if result.articles == 0 and not unchanged:
        click.secho("Error: no article could be read; nothing written", fg="red", err=True)
        sys.exit(1)
    paths = {}
    if result.articles:
        progress.step("writing outputs")
        paths = write_outputs(result, out_dir, html=html, step=progress.step)
    if store_dir and result.articles:
        from kg.store import add_to_store
        from kg.store.incremental import finish

        progress.step("adding to the store")
        add_to_store(result.graph, store_dir)
        finish(store_dir, seen["plan"], result.graph)  # after the graph: a crash in between rebuilds them
    if store_dir:
        paths["store"] = str(store_dir)
    violations = None
    if validate and result.articles and result.graph is not None:
        try:
            from kg.validate import validate_graph
        except ImportError:
            validate_graph = None
        if validate_graph is not None:
            progress.step("validating")
            violations = validate_graph(result.graph).violation_count
    s = result.summary
    return {
        "articles": result.articles, "unchanged": unchanged, "triples": s["triples"], "metrics": s["metrics"],
        "entities": s["entities"], "relations": s["relations"],
        "statements_by_modality": s["statements_by_modality"], "shacl_violations": violations,
        "outputs": paths, "windows": result.windows, "streamed": result.graph is None and bool(result.articles),
        "errors": list(result.report.errors),
        "warnings": list(result.report.warnings), "skipped": list(result.report.skipped),
    }
