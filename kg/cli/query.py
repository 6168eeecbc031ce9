"""``kg query``: run SPARQL (inline, from a file, or a preset) against a graph file or store."""
from __future__ import annotations

import sys

import click

from kg.errors import ParameterError, QueryError

FORMATS = ("table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "rdfxml", "jsonld")


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise ParameterError(f"--param {pair!r}: expected NAME=VALUE, e.g. --param org=Xiaohongshu")
        name, value = pair.split("=", 1)
        out[name.strip()] = value
    return out


def list_presets() -> str:
    from kg.query.presets import presets

    lines = []
    for p in presets().values():
        params = " ".join(f"{'' if q.required else '['}{q.name}={q.kind.upper()}{'' if q.required else ']'}"
                          for q in p.params)
        lines.append(f"{p.name:<17} {p.title}" + (f"   ({params})" if params else ""))
        lines.append(f"{'':<17} {p.description}")
        for ex in p.examples[:1]:
            lines.append(f"{'':<17} e.g. {ex}")
    return "\n".join(lines) + "\n"


@click.command("query")
@click.argument("graph", required=False, type=click.Path(dir_okay=True))
@click.argument("sparql", required=False)
@click.option("-f", "--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a .rq file.")
@click.option("--preset", help="Run a shipped preset query (see --list).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query variable: an entity label/alias/IRI, a date, a number... (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format; turtle/ntriples/rdfxml/jsonld for CONSTRUCT and DESCRIBE.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="Query engine for a graph file (a store directory always uses Oxigraph).")
@click.option("--limit", type=click.IntRange(min=0), default=None,
              help="Page size: sets the query's LIMIT (presets list 100 or 1000 rows by default).")
@click.option("--offset", type=click.IntRange(min=0), default=None,
              help="Skip this many rows of the query's order (the next page: --offset 100).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop the query after this many seconds (it runs in a child process that is killed).")
@click.option("--max-memory", type=click.FloatRange(min=1), default=None, metavar="MB",
              help="Stop the query when it uses more than this much memory (MB).")
@click.option("--max-width", type=int, default=80, show_default=True, help="Table cell width (0: no limit).")
@click.option("--list", "list_", is_flag=True, help="List the presets with their parameters and exit.")
@click.option("--show", is_flag=True, help="Print the query text (of a preset) instead of running it.")
def query(graph, sparql, query_file, preset, params, fmt, engine, limit, offset, timeout, max_memory, max_width, list_,
          show):
    """Run a SPARQL query against GRAPH (a graph file in any RDF syntax, or a store directory).

    The query is SPARQL inline, -f FILE.rq, or --preset NAME. Parameters are bound as RDF
    values, never pasted into the query. SERVICE and remote FROM are refused (no network).

    \b
    Example:
        kg query out/graph.ttl --preset partners-of --param org=小红书
        kg query out/graph.ttl --preset facts-about --param org=Xiaohongshu --offset 100
        kg query out/graph.ttl "SELECT ?p WHERE { ?p a pkg:Person }" --format csv
        kg query store/ -f my-query.rq --format json
        kg query --list
    """
    if list_:
        click.echo(list_presets(), nl=False)
        return
    sources = [s for s in (sparql, query_file, preset) if s]
    if len(sources) != 1:
        raise QueryError("give exactly one query: SPARQL text, -f FILE.rq or --preset NAME (kg query --list shows presets)")
    from kg.query.presets import get_preset

    what = "the query"
    if preset:
        p = get_preset(preset)
        text, what = p.text, f"preset {preset!r}"
    elif query_file:
        text, what = query_file.read(), query_file.name
    else:
        text = sparql
    if show:
        click.echo(text, nl=not text.endswith("\n"))
        return
    if not graph:
        raise QueryError("missing GRAPH: a graph file (.ttl, .nt, .jsonld...) or a store directory")
    result = run(graph, text, parse_params(params), engine, timeout=timeout, what=what, limit=limit, offset=offset,
                 max_memory=max_memory)
    for w in result.warnings:
        click.echo(f"Warning: {w}", err=True)
    from kg.query.formats import render

    out = render(result, fmt, max_width)
    sys.stdout.write(out)


def run(graph, text, params, engine, timeout=None, what="the query", limit=None, offset=None, max_memory=None):
    """Run in this process, or, with a time or memory limit, in a child process that is killed
    when it passes the limit (an engine cannot interrupt a running sort or join)."""
    from kg.query import query as run_query
    from kg.query.isolated import open_for_query, run_isolated

    if timeout or max_memory:
        return run_isolated(graph, text, params, engine, timeout=timeout, memory_mb=max_memory,
                            limit=limit, offset=offset, what=what)
    return run_query(open_for_query(graph, engine), text, params, limit=limit, offset=offset, what=what)
