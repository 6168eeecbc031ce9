"""Graph-level scoring against ``gold.json`` (entities, relations, metrics).

* entity found: a node of a scored class has a label/altLabel equal (normalised) to the gold name
  or an alias, and the coarse types match; predicted = all nodes of the scored classes;
* relation found: a direct triple with that predicate joins the matched entities (either
  direction for symmetric predicates); distinct (s, p, o) are compared;
* metric found: a Metric of the matched entity with the same metricType and a value within 1%
  (growth is kept in the graph but not scored).
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import GoldError
from kg.rdf.namespace import CLASS_COARSE, PKG, PREDICATES, SYMMETRIC
from kg.resolve.entities import norm

UNSCORED_METRICS = {"growth"}


def load_gold(path: str | Path) -> dict:
    p = Path(path)
    try:
        gold = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoldError(f"{p}: no such gold file") from None
    except json.JSONDecodeError as e:
        raise GoldError(f"{p}:{e.lineno}: not valid JSON ({e.msg})") from None
    missing = {"entities", "relations", "metrics"} - set(gold)
    if missing:
        raise GoldError(f"{p}: gold file lacks {', '.join(sorted(missing))}; see docs/data-model.md")
    return gold


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list = field(default_factory=list)
    false_positives: list = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self, verbose: bool = False) -> dict:
        d = {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
             "tp": self.tp, "fp": self.fp, "fn": self.fn}
        if verbose:
            d["misses"] = self.misses
            d["false_positives"] = self.false_positives
        return d


@dataclass
class Scores:
    entities: PRF
    entities_untyped: PRF
    relations: PRF
    per_predicate: dict[str, PRF]
    metrics: PRF

    def as_dict(self, verbose: bool = False) -> dict:
        return {
            "entities": self.entities.as_dict(verbose),
            "entities_untyped": self.entities_untyped.as_dict(verbose),
            "relations": self.relations.as_dict(verbose),
            "per_predicate": {p: s.as_dict(verbose) for p, s in sorted(self.per_predicate.items())},
            "metrics": self.metrics.as_dict(verbose),
        }


def _nodes(graph: Graph) -> dict:
    """node -> (coarse type, set of normalised names, display label)"""
    out = {}
    for cls, coarse in CLASS_COARSE.items():
        for n in graph.subjects(RDF.type, PKG[cls]):
            names = {norm(str(l)) for l in graph.objects(n, RDFS.label)}
            names |= {norm(str(l)) for l in graph.objects(n, SKOS.altLabel)}
            # the fullest label, whatever order the store gives them in (a node may carry several)
            label = max((str(l) for l in graph.objects(n, RDFS.label)), key=lambda x: (len(x), x), default=str(n))
            out[n] = (coarse, names, label)
    return out


def score_graph(graph: Graph, gold: dict) -> Scores:
    nodes = _nodes(graph)
    by_name: dict[str, set] = defaultdict(set)
    for n, (coarse, names, _) in nodes.items():
        for nm in names:
            by_name[nm].add(n)

    def match(entity: dict, typed: bool = True) -> set:
        found = set()
        for nm in {entity["name"], *entity.get("aliases", [])}:
            for n in by_name.get(norm(nm), ()):
                if not typed or nodes[n][0] == entity["type"]:
                    found.add(n)
        return found

    gold_ents = {e["name"]: e for e in gold["entities"]}
    ent, ent_u = PRF(), PRF()
    matched_nodes, matched_nodes_u = set(), set()
    gold_nodes: dict[str, set] = {}
    for e in gold["entities"]:
        m = match(e)
        gold_nodes[e["name"]] = m
        if m:
            ent.tp += 1
            matched_nodes |= m
        else:
            ent.fn += 1
            ent.misses.append(f"{e['name']} ({e['type']})")
        mu = match(e, typed=False)
        if mu:
            ent_u.tp += 1
            matched_nodes_u |= mu
        else:
            ent_u.fn += 1
            ent_u.misses.append(e["name"])
    for n, (coarse, names, label) in sorted(nodes.items(), key=lambda kv: kv[1][2]):
        if n not in matched_nodes:
            ent.fp += 1
            ent.false_positives.append(f"{label} ({coarse})")
        if n not in matched_nodes_u:
            ent_u.fp += 1
            ent_u.false_positives.append(label)

    # relations: distinct (s, p, o) of the graph vs the gold's
    label = {n: v[2] for n, v in nodes.items()}
    predicted = set()
    for p in PREDICATES:
        for s, o in graph.subject_objects(PKG[p]):
            if s in nodes and o in nodes:
                predicted.add((s, p, o) if p not in SYMMETRIC or str(s) <= str(o) else (o, p, s))
    per_pred: dict[str, PRF] = {p: PRF() for p in PREDICATES}
    rel = PRF()
    gold_rel_keys = set()
    hit = set()
    for r in gold["relations"]:
        key = (r["s"], r["p"], r["o"])
        if key in gold_rel_keys:
            continue
        gold_rel_keys.add(key)
        ss = gold_nodes.get(r["s"]) or match(gold_ents.get(r["s"], {"name": r["s"], "type": ""}), typed=False)
        oo = gold_nodes.get(r["o"]) or match(gold_ents.get(r["o"], {"name": r["o"], "type": ""}), typed=False)
        found = None  # the first predicted triple in node order (sets iterate in a hash-seed order)
        for s in sorted(ss):
            for o in sorted(oo):
                for cand in ((s, r["p"], o), (o, r["p"], s)):
                    if found is None and cand in predicted and (cand[0] == s or r["p"] in SYMMETRIC):
                        found = cand
        pp = per_pred[r["p"]]
        if found:
            rel.tp += 1
            pp.tp += 1
            hit.add(found)
        else:
            rel.fn += 1
            pp.fn += 1
            line = f"{r['s']} {r['p']} {r['o']}"
            rel.misses.append(line)
            pp.misses.append(line)
    for t in sorted(predicted - hit, key=lambda t: (t[1], label.get(t[0], ""), label.get(t[2], ""))):
        line = f"{label.get(t[0], t[0])} {t[1]} {label.get(t[2], t[2])}"
        rel.fp += 1
        rel.false_positives.append(line)
        per_pred[t[1]].fp += 1
        per_pred[t[1]].false_positives.append(line)

    # metrics
    met = PRF()
    predicted_m = []
    for node in graph.subjects(RDF.type, PKG.Metric):
        mtype = str(graph.value(node, PKG.metricType))
        if mtype in UNSCORED_METRICS:
            continue
        owner = next(iter(graph.subjects(PKG.hasMetric, node)), None)
        value = graph.value(node, PKG.value)
        predicted_m.append((owner, mtype, Decimal(str(value)) if value is not None else None, node))
    used = set()
    for g in gold["metrics"]:
        if g["metric"] in UNSCORED_METRICS:
            continue
        owners = gold_nodes.get(g["entity"]) or match(gold_ents.get(g["entity"], {"name": g["entity"], "type": ""}), typed=False)
        gv = Decimal(str(g["value"]))
        found = None
        for owner, mtype, value, node in predicted_m:
            if owner in owners and mtype == g["metric"] and value is not None and node not in used:
                if abs(value - gv) <= abs(gv) * Decimal("0.01"):
                    found = node
                    break
        if found is not None:
            used.add(found)
            met.tp += 1
        else:
            met.fn += 1
            met.misses.append(f"{g['entity']} {g['metric']} {g['value']} {g['unit']}")
    for owner, mtype, value, node in predicted_m:
        if node not in used:
            met.fp += 1
            met.false_positives.append(f"{label.get(owner, owner)} {mtype} {value}")
    return Scores(entities=ent, entities_untyped=ent_u, relations=rel, per_predicate=per_pred, metrics=met)
