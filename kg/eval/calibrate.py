"""Calibrating rule confidences: the precision each extraction rule reaches against gold files.

For every asserted statement (and every figure) the rule that made it is credited when the fact
is in the gold file (matched exactly as the scorer matches). Confidence is the smoothed precision
``(correct + 1) / (made + 2)``, so a rule seen rarely stays near 0.5 instead of 0 or 1.
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rdflib import Graph
from rdflib.namespace import RDF

from kg.eval.scoring import _nodes
from kg.rdf.namespace import PKG, SYMMETRIC
from kg.resolve.entities import norm


def rule_outcomes(graph: Graph, gold: dict) -> tuple[Counter, Counter]:
    """(made, correct) per rule name, over statements and figures of one graph."""
    nodes = _nodes(graph)
    names_of = {n: names for n, (_, names, _) in nodes.items()}
    gold_names = {e["name"]: {norm(x) for x in [e["name"], *e.get("aliases", [])]} for e in gold["entities"]}

    def is_(node, gold_name):
        return bool(names_of.get(node, set()) & gold_names.get(gold_name, {norm(gold_name)}))

    made, correct = Counter(), Counter()
    for st in graph.subjects(RDF.type, RDF.Statement):
        if str(graph.value(st, PKG.modality)) != "asserted":
            continue
        rule = str(graph.value(st, PKG.extractedBy))
        s, p, o = graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object)
        pred = str(p).rsplit("#", 1)[-1]
        made[rule] += 1
        for r in gold["relations"]:
            if r["p"] != pred:
                continue
            if (is_(s, r["s"]) and is_(o, r["o"])) or (pred in SYMMETRIC and is_(s, r["o"]) and is_(o, r["s"])):
                correct[rule] += 1
                break
    for m in graph.subjects(RDF.type, PKG.Metric):
        rule = "figure-" + str(graph.value(m, PKG.extractedBy))
        mtype = str(graph.value(m, PKG.metricType))
        if mtype == "growth":
            continue
        owner = next(iter(graph.subjects(PKG.hasMetric, m)), None)
        value = Decimal(str(graph.value(m, PKG.value)))
        made[rule] += 1
        for g in gold["metrics"]:
            gv = Decimal(str(g["value"]))
            if g["metric"] == mtype and is_(owner, g["entity"]) and abs(value - gv) <= abs(gv) / 100:
                correct[rule] += 1
                break
    return made, correct


def calibrate(pairs: list[tuple[Graph, dict]]) -> dict[str, float]:
    made, correct = Counter(), Counter()
    for graph, gold in pairs:
        m, c = rule_outcomes(graph, gold)
        made.update(m)
        correct.update(c)
    return {rule: round((correct[rule] + 1) / (made[rule] + 2), 2) for rule in sorted(made)}, made, correct
