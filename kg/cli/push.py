"""``kg push``: write a graph into a running SPARQL store (Graph Store HTTP Protocol)."""
from __future__ import annotations

import click


@click.command("push")
@click.argument("graph", type=click.Path(exists=True))
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's Graph Store endpoint, e.g. http://127.0.0.1:7878/store (Oxigraph), "
                   "http://localhost:3030/ds/data (Fuseki), "
                   "http://localhost:7200/repositories/REPO/rdf-graphs/service (GraphDB).")
@click.option("--timeout", default=60.0, show_default=True, type=float, help="Seconds per HTTP request.")
def push(graph, endpoint, timeout):
    """Write GRAPH (file or store directory) into a running SPARQL 1.1 store, one named graph
    per article (PUT: a re-push replaces it), entities and facts merged.

    \b
    Example:
        oxigraph serve --location db/ --union-default-graph &
        kg push out/graph.ttl --endpoint http://127.0.0.1:7878/store
    """
    from kg.store.push import push as do_push

    report = do_push(graph, endpoint, timeout=timeout)
    click.echo(f"{endpoint}: pushed {report}")
