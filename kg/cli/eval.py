"""``kg eval``: precision, recall and F1 against a gold file."""
from __future__ import annotations

import json

import click

from kg.cli.options import echo_problems, inputs_argument, min_confidence_option, model_option, run_build


@click.command("eval")
@inputs_argument
@click.option("--gold", required=True, type=click.Path(dir_okay=False), help="gold.json to score against.")
@click.option("--graph", "graph_path", default=None, help="Score an already built graph instead of building.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("-v", "--verbose", is_flag=True, help="List misses and false positives.")
@model_option
@min_confidence_option
def eval_cmd(inputs, gold, graph_path, as_json, verbose, model, min_confidence):
    """Score extraction on INPUT articles against a gold standard (see docs/data-model.md).

    \b
    Example:
        kg eval data/*.txt --gold tests/data/seed/gold.json -v
        kg eval --graph out/graph.ttl --gold gold.json --json
    """
    from kg.eval import load_gold, score_graph

    gold_data = load_gold(gold)
    if graph_path:
        from kg.store import load_graph

        graph = load_graph(graph_path)
    else:
        if not inputs:
            raise click.UsageError("give INPUT files to build, or --graph GRAPH")
        result = run_build(list(inputs), model, min_confidence, quiet=True)
        echo_problems(result.report)
        graph = result.graph
    scores = score_graph(graph, gold_data)
    if as_json:
        click.echo(json.dumps(scores.as_dict(verbose), indent=2, ensure_ascii=False))
        return
    click.echo(format_table(scores))
    if verbose:
        for name, prf in (("entities", scores.entities), ("relations", scores.relations), ("metrics", scores.metrics)):
            for m in prf.misses:
                click.echo(f"miss  {name:9} {m}")
            for fp in prf.false_positives:
                click.echo(f"false {name:9} {fp}")


def format_table(scores) -> str:
    rows = [("entities (typed)", scores.entities), ("entities (untyped)", scores.entities_untyped),
            ("relations", scores.relations)]
    rows += [(f"  {p}", s) for p, s in sorted(scores.per_predicate.items()) if s.tp + s.fp + s.fn]
    rows.append(("metrics", scores.metrics))
    lines = [f"{'':22} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for name, s in rows:
        lines.append(f"{name:22} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4} {s.fp:4} {s.fn:4}")
    return "\n".join(lines)
