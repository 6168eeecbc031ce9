"""Extraction quality floors on the seed digest and the dev corpus (issue #3's acceptance).
A change that helps one corpus and hurts the other fails here."""
from __future__ import annotations

import pytest

from kg.eval import load_gold, score_graph
from kg.pipeline import build_graph

from conftest import DEV_DIR, SEED_DIR

FLOORS = {
    # measured with the trained extractor (models trained on train/ only), a little below; issue 10 asks
    # for relations F1 >= 0.80 at precision >= 0.85 and typed entities >= 0.92: not reached yet
    "seed": {"entities": 0.95, "relations": 0.76, "metrics": 0.85, "relation_precision": 0.85},
    "dev-corpus": {"entities": 0.94, "relations": 0.72, "metrics": 0.82, "relation_precision": 0.85},
    # four articles written after the rules (other companies and regions); see tests/data/holdout/README.md
    "holdout": {"entities": 0.95, "relations": 0.76, "metrics": 0.82, "relation_precision": 0.85},
}


@pytest.fixture(scope="module", params=["seed", "dev-corpus", "holdout"])
def scored(request, seed_build):
    if request.param == "seed":
        graph = seed_build[0].graph
        gold = load_gold(SEED_DIR / "gold.json")
    else:
        folder = DEV_DIR.parent / request.param
        graph = build_graph([folder / "articles.txt"]).graph
        gold = load_gold(folder / "gold.json")
    return request.param, score_graph(graph, gold)


def test_eval_floors(scored):
    name, s = scored
    floors = FLOORS[name]
    report = (f"{name}: entities F1 {s.entities.f1:.3f}, relations F1 {s.relations.f1:.3f} "
              f"(P {s.relations.precision:.3f}), metrics F1 {s.metrics.f1:.3f}")
    assert s.entities.f1 >= floors["entities"], report
    assert s.relations.f1 >= floors["relations"], report
    assert s.metrics.f1 >= floors["metrics"], report
    assert s.relations.precision >= floors.get("relation_precision", 0), report


@pytest.mark.parametrize("name,gold_path", [("seed", SEED_DIR / "gold.json"), ("dev-corpus", DEV_DIR / "gold.json")])
def test_eval_gold_scores_itself_perfectly(name, gold_path):
    """The scorer is exact: a graph made from the gold file scores 1.0 everywhere."""
    from tests_support import graph_from_gold

    gold = load_gold(gold_path)
    s = score_graph(graph_from_gold(gold), gold)
    assert (s.entities.f1, s.relations.f1, s.metrics.f1) == (1.0, 1.0, 1.0)


def test_eval_min_confidence_filters_facts(seed_build):
    from kg.rdf.namespace import PKG

    strict = build_graph([SEED_DIR / "social-ecommerce-digest-2025.txt"], min_confidence=0.99).graph
    everything = seed_build[0].graph
    confs = [float(c) for c in everything.objects(None, PKG.confidence)]
    assert confs and max(confs) < 0.99
    assert not list(strict.subjects(PKG.confidence, None))
    assert len(strict) < len(everything)


def test_eval_calibration_reports_every_rule(seed_build):
    from kg.eval.calibrate import calibrate

    conf, made, correct = calibrate([(seed_build[0].graph, load_gold(SEED_DIR / "gold.json"))])
    assert set(conf) == set(made) and all(0 < c < 1 for c in conf.values())
    assert all(correct[r] <= made[r] for r in made)
