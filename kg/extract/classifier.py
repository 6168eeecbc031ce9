"""The trained relation classifier: a calibrated logistic model per predicate over candidate features.

The model is a plain JSON file (``kg/extract/models/relations.json``, written by ``kg train``):
for each predicate a bias, a weight per feature and a Platt calibration (a, b) fitted on
out-of-fold scores, so ``sigmoid(a * score + b)`` is the probability that the candidate is a fact
the annotation guidelines record. That probability is the fact's ``pkg:confidence``; candidates
under the model's threshold are not facts; ``--min-confidence`` raises the bar further.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError
from kg.extract.candidates import SYMMETRIC, FeatureMaker, entity_key
from kg.extract.reference import load_reference
from kg.extract.types import CandidateRecord, Fact

MODEL_FORMAT = "platform-kg relation model 1"
SINGLE_OBJECT = {"subsidiaryOf"}  # an organisation has one parent (annotation guidelines)
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "relations.json"


@dataclass
class PredicateModel:
    bias: float
    weights: dict[str, float]
    calibration: tuple[float, float] = (1.0, 0.0)

    def score(self, features) -> float:
        w = self.weights
        return self.bias + sum(w.get(f, 0.0) for f in features)

    def probability(self, features) -> float:
        a, b = self.calibration
        z = a * self.score(features) + b
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


@dataclass
class RelationModel:
    predicates: dict[str, PredicateModel]
    threshold: float = 0.5
    meta: dict | None = None
    # predicate -> rule -> (firings, smoothed precision) on the training candidates: a hand-written rule
    # that was right this often speaks for itself (its precision is the fact's probability)
    rules: dict[str, dict[str, tuple[int, float]]] = field(default_factory=dict)
    rule_min_precision: float = 0.85
    rule_min_support: int = 5

    @classmethod
    def from_dict(cls, data: dict, where: str = "relation model") -> "RelationModel":
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ModelError(f"{where}: not a platform-kg relation model (format {MODEL_FORMAT!r} expected); "
                             f"retrain it with `kg train`")
        try:
            preds = {p: PredicateModel(float(m["bias"]), {str(k): float(v) for k, v in m["weights"].items()},
                                       tuple(float(x) for x in m.get("calibration", (1.0, 0.0))))
                     for p, m in data["predicates"].items()}
            rules = {p: {r: (int(v[0]), float(v[1])) for r, v in m.items()} for p, m in data.get("rules", {}).items()}
            return cls(preds, float(data.get("threshold", 0.5)), data.get("meta"), rules,
                       float(data.get("rule_min_precision", 0.85)), int(data.get("rule_min_support", 5)))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ModelError(f"{where}: malformed relation model ({e}); retrain it with `kg train`") from None

    def to_dict(self) -> dict:
        return {"format": MODEL_FORMAT, "threshold": self.threshold, "meta": self.meta or {},
                "rule_min_precision": self.rule_min_precision, "rule_min_support": self.rule_min_support,
                "rules": {p: {r: [n, round(x, 4)] for r, (n, x) in sorted(m.items())} for p, m in sorted(self.rules.items())},
                "predicates": {p: {"bias": round(m.bias, 6), "calibration": [round(x, 6) for x in m.calibration],
                                   "weights": {k: round(v, 6) for k, v in sorted(m.weights.items())}}
                               for p, m in sorted(self.predicates.items())}}

    def probability(self, predicate: str, features) -> float:
        m = self.predicates.get(predicate)
        p = 0.0 if m is None else m.probability(features)
        rules = self.rules.get(predicate)
        if rules and "rule_mod=asserted" in features:
            for f in features:
                if f.startswith("rule=") and (r := rules.get(f[5:])) is not None \
                        and r[0] >= self.rule_min_support and r[1] >= self.rule_min_precision:
                    p = max(p, r[1])
        return p


def read_model_file(path, env: str, default: Path, what: str):
    """The JSON of a trained model: ``path``, else ``$env``, else the shipped ``default`` (None when
    nothing is shipped); one-line errors for a named file that is missing or not JSON."""
    path = path or os.environ.get(env)
    p = Path(path) if path else default
    if not p.exists():
        if path:
            raise ModelError(f"{p}: no such {what}; train one with `kg train -o {p.parent}`")
        return None, p
    try:
        return json.loads(p.read_text(encoding="utf-8")), p
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelError(f"{p}: not a JSON {what} ({e}); retrain it with `kg train`") from None


def load_model(path: str | Path | None = None) -> RelationModel | None:
    """The model at ``path`` (the shipped one by default; None when no model is shipped)."""
    data, p = read_model_file(path, "KG_RELATION_MODEL", DEFAULT_MODEL, "relation model")
    return None if data is None else RelationModel.from_dict(data, str(p))


@Language.factory("kg_relations", default_config={"model_path": None, "ontology_dir": None},
                  requires=["doc._.kg_ents", "doc._.kg_refs"])
def make_relations(nlp: Language, name: str, model_path: str | None, ontology_dir: str | None):
    return RelationClassifier(model_path, ontology_dir)


class RelationClassifier:
    """Holds the feature maker and the trained model. Candidates need the article's rule firings,
    so they are formed and scored per article by :func:`kg.extract.pipeline.extract_articles`;
    on a single Doc the component leaves it unchanged."""

    def __init__(self, model_path: str | None = None, ontology_dir: str | None = None):
        self.features = FeatureMaker(load_reference(ontology_dir).lexicon("relations"))
        self.model = load_model(model_path)

    def __call__(self, doc: Doc) -> Doc:
        return doc


def _key(c: CandidateRecord, subject: str | None = None, obj: str | None = None) -> tuple:
    """The fact a candidate states, (subject key, predicate, object key), in one order for a
    symmetric predicate; ``subject``/``obj`` put another entity in that place."""
    k = (subject or entity_key(c.subject), c.predicate, obj or entity_key(c.object))
    return (min(k[0], k[2]), k[1], max(k[0], k[2])) if c.predicate in SYMMETRIC else k


def _distribute(candidates: list[CandidateRecord], best: dict) -> None:
    """A coordination distributes a relation over its conjuncts: when the classifier accepts "X
    operates in Japan" from "X rolled out Y in Japan and Thailand", the same sentence's candidate for
    Thailand (whose own path runs through the list) is accepted with the same probability; the same
    for coordinated subjects ("Grab and Singtel launched"). Only within one sentence, same modality."""
    accepted = dict(best)
    for c in candidates:
        k = _key(c)
        if k in best:
            continue
        for side, peer in enumerate(c.conjuncts):
            if not peer or peer in (entity_key(c.subject), entity_key(c.object)):
                continue
            if side == 1 and c.predicate in SINGLE_OBJECT:
                continue  # "a unit of A and B" is a joint venture (acquiredStakeIn), not two parents
            hit = accepted.get(_key(c, subject=peer) if side == 0 else _key(c, obj=peer))
            if hit is not None and hit[1].evidence == c.evidence and hit[1].modality == c.modality:
                best[k] = ((c.modality == "asserted", hit[0][1]), c)
                break


def classify(candidates: list[CandidateRecord], model: RelationModel, facts: list[Fact]) -> list[Fact]:
    """Facts of one article: the best candidate per (subject, predicate, object) whose probability
    reaches the threshold, asserted unless the words linking its two mentions are hedged or negated
    (then a statement of that modality, never a direct triple); the rules' hedged statements and
    headline facts that no candidate covers are kept as they are."""
    best: dict[tuple, tuple[float, CandidateRecord]] = {}
    for c in candidates:
        p = model.probability(c.predicate, c.features)
        if p < model.threshold:
            continue
        k = _key(c)
        # an asserted reading anywhere in the article wins over hedged ones, then the higher probability
        rank = (c.modality == "asserted", p)
        if k not in best or rank > best[k][0]:
            best[k] = (rank, c)
    _distribute(candidates, best)
    out = [Fact(subject=c.subject, predicate=c.predicate, object=c.object, evidence=c.evidence, rule="classifier",
                confidence=round(rank[1], 3), modality=c.modality, qualifiers=dict(c.qualifiers))
           for rank, c in best.values()]
    asserted = {(entity_key(f.subject), f.predicate, entity_key(f.object)) for f in out if f.modality == "asserted"}
    asserted |= {(o, p, s) for s, p, o in asserted if p in SYMMETRIC}
    made = {(entity_key(f.subject), f.predicate, entity_key(f.object)) for f in out}
    made |= {(o, p, s) for s, p, o in made if p in SYMMETRIC}
    for f in facts:
        k = (entity_key(f.subject), f.predicate, entity_key(f.object))
        if k in asserted or k in made and f.modality != "asserted":
            continue
        if f.modality != "asserted" or f.evidence.passage == -1:
            out.append(f)
    return out
