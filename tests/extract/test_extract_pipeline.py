"""The two extraction passes of kg.extract.pipeline, with the work the second pass shares with the
first (kept Docs, the NER's token vectors, the names ruler's phrase patterns): the same extractions
as two whole passes of the pipeline."""
from __future__ import annotations

import pytest

from conftest import DEV_DIR, SEED_DIR


@pytest.fixture(scope="module")
def articles():
    from kg.ingest import read_inputs

    arts, _ = read_inputs([str(SEED_DIR / "social-ecommerce-digest-2025.txt"), str(DEV_DIR / "articles.txt")])
    return arts


def test_extraction_equals_two_whole_passes(nlp, articles):
    from kg.extract.pipeline import _extract_pass, _names_ruler, discovered_names, extract_articles

    first = _extract_pass(nlp, articles)
    names = discovered_names(first)
    assert names
    with _names_ruler(nlp, names):
        whole = _extract_pass(nlp, articles)
    assert extract_articles(nlp, articles) == whole


def test_ner_vectors_of_a_run_serve_the_next(nlp, articles):
    from kg.extract.pipeline import _ner_features_once

    texts = [p.text for a in articles for p in a.passages]
    plain = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=16)]
    with _ner_features_once(nlp) as memo:
        first = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=16)]
        assert memo.vectors  # one entry per batch the NER ran
        memo.recording = False
        again = [[(e.start, e.end, e.label_) for e in d.ents] for d in nlp.pipe(texts, batch_size=16)]
        assert not memo.vectors  # every batch took the first run's vectors
    assert first == plain and again == plain
    assert nlp.get_pipe("ner").model.layers[0].name != "kg_ner_vectors_once"  # the model is restored


def test_found_names_are_matched_as_whole_tokens(nlp):
    from kg.extract.pipeline import _names_ruler

    with _names_ruler(nlp, {"Zorbit Pay": "Company", "Kelo": "Company"}):
        doc = nlp("Zorbit Pay and Kelo signed a deal; Zorbit Payments and Kelon did not.")
    found = [(e.text, e.label_) for e in doc.ents if e.ent_id_ == "found"]
    assert found == [("Zorbit Pay", "Company"), ("Kelo", "Company")]


def test_a_later_window_looks_for_the_names_of_earlier_ones(nlp, articles):
    """``FoundNames`` carried from window to window: the second window's second pass runs with the
    names of both windows' first passes, as one window of both would (its extractions are those of
    a second pass with that ruler)."""
    from kg.extract.pipeline import FoundNames, _extract_pass, _names_ruler, discovered_names, extract_articles

    early, late = articles[:10], articles[10:]
    found = FoundNames()
    extract_articles(nlp, early, found=found)
    from_early = dict(found.names())
    assert from_early
    windowed = extract_articles(nlp, late, found=found)
    names = found.names()
    assert set(from_early) <= set(names)
    assert names == discovered_names(_extract_pass(nlp, early) + _extract_pass(nlp, late))
    with _names_ruler(nlp, names):
        assert windowed == _extract_pass(nlp, late)
