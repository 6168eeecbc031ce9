"""``kg stats``: the ecosystem at a glance."""
from __future__ import annotations

import json

import click


@click.command()
@click.argument("graph_file", metavar="GRAPH", type=click.Path(dir_okay=True))
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000),
              help="How many actors / communities to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON (for programs).")
def stats(graph_file, top, as_json):
    """Entities per class, facts per predicate, articles and date span, the most central actors
    (degree, PageRank), connected components and communities of GRAPH.

    \b
    Example:
        kg stats out/graph.ttl
        kg stats out/graph.ttl --json --top 5
    """
    from kg.analytics import compute_stats, format_stats
    from kg.export import read_graph

    result = compute_stats(read_graph(graph_file), top=top)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False) if as_json else format_stats(result))
