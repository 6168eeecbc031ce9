"""``kg validate``: SHACL shapes and ontology checks, a readable report, non-zero exit on violations."""
from __future__ import annotations

import json

import click


@click.command()
@click.argument("graph_file", metavar="GRAPH", type=click.Path(dir_okay=True))
@click.option("--infer", is_flag=True,
              help="Materialise OWL RL consequences (symmetric predicates, superclasses) before validating.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="With --infer: also write the materialised graph here (Turtle, N-Triples, ... by extension).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(graph_file, infer, output, as_json):
    """Check GRAPH against kg/ontology/shapes.ttl (SHACL) and the ontology (declared terms, domains, ranges).

    Prints a report grouped by shape and exits with status 1 when there are violations.

    \b
    Example:
        kg validate out/graph.ttl
        kg validate out/graph.ttl --infer -o out/graph-inferred.ttl
    """
    from kg.errors import OutputError, ValidationFailed
    from kg.export import export_graph, guess_format, read_graph
    from kg.validate import validate_graph

    if output and not infer:
        raise OutputError("-o/--output writes the materialised graph; add --infer")
    graph = read_graph(graph_file)
    if infer:
        from kg.validate.infer import materialize

        graph = materialize(graph)
        if output:
            fmt = guess_format(output)
            if fmt not in ("ttl", "nt", "nq", "trig", "jsonld"):
                raise OutputError(f"{output}: give an RDF file name (.ttl, .nt, .nq, .trig, .jsonld)")
            export_graph(graph, fmt, output)
            click.echo(f"wrote {output} ({len(graph)} triples with inferences)", err=True)
    report = validate_graph(graph)
    click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) if as_json else report.text)
    if not report.conforms:
        raise ValidationFailed(f"{graph_file}: {report.violation_count} violation(s) of the data model; see the report above")
