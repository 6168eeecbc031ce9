"""``kg build``: news files -> out/graph.ttl (+ graph.html)."""
from __future__ import annotations

import sys

import click

from kg.cli.options import (echo_problems, inputs_argument, min_confidence_option, model_option, reference_option,
                            run_build)


@click.command()
@inputs_argument
@click.option("-o", "--output", "out_dir", default="out", show_default=True, type=click.Path(file_okay=False),
              help="Output directory (graph.ttl, graph.html).")
@click.option("--html/--no-html", default=True, show_default=True, help="Also write the interactive graph.html.")
@click.option("--store", "store_dir", default=None, type=click.Path(file_okay=False),
              help="Also add the graph to an Oxigraph store directory (one named graph per article).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Run the SHACL shapes on the result and report the violation count.")
@model_option
@reference_option
@min_confidence_option
@click.option("-q", "--quiet", is_flag=True, help="No summary, only errors.")
def build(inputs, out_dir, html, store_dir, validate, model, min_confidence, quiet):
    """Build the knowledge graph of INPUT files or directories (default: data/; '-' reads stdin).

    Reads digests, plain .txt/.md articles and JSON Lines; writes OUT/graph.ttl and, unless
    --no-html, OUT/graph.html. Bad inputs are reported one line each and skipped; the exit
    status is 1 if any input failed, and a previous graph.ttl is only ever replaced whole.

    \b
    Example:
        kg build data/ -o out/
        kg build news.jsonl more/ --min-confidence 0.7 --store out/store
        kg build data/ --reference my-entities.json
    """
    from kg.pipeline import write_outputs

    inputs = list(inputs) or ["data"]
    result = run_build(inputs, model, min_confidence, quiet=quiet)
    echo_problems(result.report)
    if result.articles == 0:
        click.secho("Error: no article could be read; nothing written", fg="red", err=True)
        sys.exit(1)
    paths = write_outputs(result, out_dir, html=html)
    if store_dir:
        from kg.store import add_to_store

        add_to_store(result.graph, store_dir)
        paths["store"] = str(store_dir)
    violations = None
    if validate:
        try:
            from kg.validate import validate_graph
        except ImportError:
            validate_graph = None
        if validate_graph is not None:
            violations = validate_graph(result.graph).violation_count
    if not quiet:
        s = result.summary
        click.echo(f"Articles: {result.articles}   triples: {s['triples']}   metrics: {s['metrics']}")
        click.echo("Entities:  " + ", ".join(f"{k} {v}" for k, v in s["entities"].items()))
        click.echo("Relations: " + ", ".join(f"{k} {v}" for k, v in s["relations"].items()))
        click.echo("Statements by modality: " + ", ".join(f"{k} {v}" for k, v in s["statements_by_modality"].items()))
        if violations is not None:
            click.echo(f"SHACL violations: {violations}")
        for kind, p in paths.items():
            click.echo(f"Wrote {kind}: {p}")
    if result.report.errors:
        sys.exit(1)
