"""The trained models: plain JSON that loads offline, deterministic scores, clear errors for bad files."""
from __future__ import annotations

import json

import pytest

from kg.errors import ModelError
from kg.extract.classifier import DEFAULT_MODEL, MODEL_FORMAT, RelationModel, load_model
from kg.extract.typer import DEFAULT_MODEL as TYPER_MODEL
from kg.extract.typer import load_typer

from conftest import extract_text


def test_classifier_shipped_models_load():
    model = load_model()
    typer = load_typer()
    assert model is not None and typer is not None
    assert {"worksFor", "regulates", "partnerOf", "operatesIn"} <= set(model.predicates)
    assert 0 < model.threshold < 1
    assert "NONE" in typer.classes and "ORG" in typer.classes
    # plain data files, small enough to ship
    assert DEFAULT_MODEL.stat().st_size < 3_000_000 and TYPER_MODEL.stat().st_size < 3_000_000


@pytest.mark.parametrize("features", [(), ("rule=verb-frame", "p_trig=regulates", "s_dep=nsubj", "o_dep=dobj"),
                                      ("unseen-feature",)])
def test_classifier_probabilities_are_deterministic_and_bounded(features):
    model = load_model()
    for p in model.predicates:
        a, b = model.probability(p, features), model.probability(p, features)
        assert a == b and 0.0 <= a <= 1.0


def test_classifier_round_trips_through_json():
    model = load_model()
    again = RelationModel.from_dict(json.loads(json.dumps(model.to_dict())))
    feats = ("p_trig=worksFor", "cls=Person|Company")
    assert abs(again.probability("worksFor", feats) - model.probability("worksFor", feats)) < 1e-4


@pytest.mark.parametrize("content,message", [
    ("{not json", "not a JSON relation model"),
    (json.dumps({"format": "something else"}), "not a platform-kg relation model"),
    (json.dumps({"format": MODEL_FORMAT, "predicates": {"worksFor": {"weights": {}}}}), "malformed relation model"),
])
def test_classifier_bad_model_files_are_one_line_errors(tmp_path, content, message):
    path = tmp_path / "relations.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ModelError) as e:
        load_model(path)
    assert message in str(e.value) and str(path) in str(e.value) and "\n" not in str(e.value)


def test_classifier_missing_named_model_is_an_error(tmp_path):
    with pytest.raises(ModelError, match="no such relation model"):
        load_model(tmp_path / "nope.json")


def test_classifier_bad_model_through_the_cli(tmp_path):
    """KG_RELATION_MODEL naming a broken file: one line, non-zero exit, no traceback."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    bad = tmp_path / "relations.json"
    bad.write_text("[]", encoding="utf-8")
    text = tmp_path / "a.txt"
    text.write_text("Title\nShopee hired Ana Lim as chief executive.\n", encoding="utf-8")
    kg = Path(sys.executable).parent / "kg"
    r = subprocess.run([str(kg), "build", str(text), "-o", str(tmp_path / "out")],
                       capture_output=True, text=True, env={**os.environ, "KG_RELATION_MODEL": str(bad)})
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and "not a platform-kg relation model" in r.stderr


def _facts(nlp, text: str) -> set[tuple[str, str, str]]:
    return {(f.subject.name, f.predicate, f.object.name) for f in extract_text(nlp, text).facts if f.modality == "asserted"}


@pytest.mark.parametrize("text,wanted,unwanted", [
    # a coordination distributes: the later conjunct's own path runs through the list
    ("Grab rolled out GrabMart in Malaysia and Thailand last year.",
     {("Grab", "operatesIn", "Malaysia"), ("Grab", "operatesIn", "Thailand")}, set()),
    # ... but not a relation stated inside the first conjunct: Meta owns Facebook only
    ("Meta's Facebook, Netflix and Spotify registered with the ministry.",
     set(), {("Netflix", "subsidiaryOf", "Meta"), ("Spotify", "subsidiaryOf", "Meta")}),
])
def test_classifier_distributes_over_coordination(nlp, text, wanted, unwanted):
    facts = _facts(nlp, text)
    assert wanted <= facts and not (unwanted & facts), facts


@pytest.mark.parametrize("text,stake,modality", [
    # a sale of the whole stake: the seller holds none after the event (annotation guidelines)
    ("Naspers sold its remaining stake in Delivery Hero in 2024.", ("Naspers", "Delivery Hero"), "negated"),
    ("Prosus has sold its entire stake in Swiggy.", ("Prosus", "Swiggy"), "negated"),
    # a part sold leaves a stake
    ("Naspers sold part of its stake in Tencent in 2023.", ("Naspers", "Tencent"), "asserted"),
])
def test_classifier_a_sold_stake_is_not_held(nlp, text, stake, modality):
    ex = extract_text(nlp, text)
    got = {f.modality for f in ex.facts if (f.subject.name, f.predicate, f.object.name) == (stake[0], "acquiredStakeIn", stake[1])}
    assert got == {modality}, [(f.subject.name, f.predicate, f.object.name, f.modality) for f in ex.facts]


@pytest.mark.parametrize("text,pair", [
    ("PhonePe processed 47% of UPI transactions in April, against 36% for Google Pay and 7% for Paytm.",
     {"PhonePe", "Paytm"}),
    ("Meituan handled 65% of food delivery orders in China last year, compared with 30% for Ele.me.",
     {"Meituan", "Ele.me"}),
])
def test_compared_market_shares_fire_the_share_comparison_rule(nlp, text, pair):
    """Named players' shares compared in one market are rivals (annotation guidelines): the rule
    'share-comparison' fires on the pair, and its firing is a feature the classifier weighs."""
    ex = extract_text(nlp, text)
    fired = [c for c in ex.candidates if c.predicate == "competesWith" and "rule=share-comparison" in c.features]
    assert any({c.subject.name, c.object.name} == pair for c in fired), [(c.subject.name, c.object.name) for c in fired]
