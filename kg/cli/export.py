"""``kg export``: write a graph as Turtle, N-Triples, N-Quads, TriG, JSON-LD, GraphML, GEXF or Neo4j CSV."""
from __future__ import annotations

import click

from kg.export import FORMATS


@click.command()
@click.argument("graph_file", metavar="GRAPH", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(list(FORMATS)), default=None,
              help="Output format (default: from the -o extension).")
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Output file (csv: a directory for nodes.csv and relationships.csv).")
def export(graph_file, fmt, output):
    """Export GRAPH (a graph file or store written by `kg build`) to another format.

    \b
    Formats:
      ttl      Turtle                      nt       N-Triples (sorted)
      nq       N-Quads, a named graph per article (provenance travels)
      trig     TriG, a named graph per article
      jsonld   JSON-LD with the context of kg/ontology/context.jsonld
      graphml  entities and relations for yEd / Cytoscape / networkx
      gexf     entities and relations for Gephi
      csv      nodes.csv + relationships.csv for neo4j-admin database import

    \b
    Example:
        kg export out/graph.ttl --format gexf -o out/graph.gexf
        kg export out/graph.ttl --format csv -o out/neo4j/
    """
    from kg.errors import OutputError
    from kg.export import export_graph, guess_format, read_graph

    fmt = fmt or guess_format(output)
    if fmt is None:
        raise OutputError(f"{output}: cannot tell the format from the extension; add --format ({', '.join(FORMATS)})")
    graph = read_graph(graph_file)
    paths = export_graph(graph, fmt, output)
    for p in paths:
        click.echo(f"wrote {p}")
