"""kg_entity_ruler's token patterns grouped by key word (kg.extract.gated_ruler): the same matches,
in the same order, as spaCy's EntityRuler with the same patterns, on every passage of the corpora."""
from __future__ import annotations

import pytest

from kg.extract.gated_ruler import GatedEntityRuler, key_word

from conftest import DEV_DIR, SEED_DIR


@pytest.mark.parametrize("pattern, word", [
    ([{"IS_TITLE": True, "OP": "*"}, {"TEXT": "Ministry"}, {"LOWER": "of"}], "Ministry"),
    ([{"TEXT": "Act", "OP": "?"}, {"ORTH": "Law"}], "Law"),  # an optional word is no key
    ([{"TEXT": {"REGEX": "^A"}}, {"TEXT": "Bureau", "OP": "+"}], "Bureau"),
    ([{"TEXT": "Bank", "IS_TITLE": True}], None),  # more than the word: left ungrouped (always run)
    ([{"LOWER": "no"}, {"SHAPE": "dddd"}], None),
])
def test_key_word(pattern, word):
    assert key_word(pattern) == word


@pytest.fixture(scope="module")
def corpus_docs(nlp):
    from kg.extract.pipeline import with_final_stop
    from kg.ingest import read_inputs

    articles, _ = read_inputs([str(SEED_DIR / "social-ecommerce-digest-2025.txt"), str(DEV_DIR / "articles.txt")])
    texts = [with_final_stop(p.text) for a in articles for p in a.passages] + [a.title for a in articles]
    with nlp.select_pipes(enable=[]):
        return list(nlp.pipe(texts))


def test_gated_ruler_matches_like_spacy_ruler(nlp, corpus_docs):
    from spacy.pipeline import EntityRuler

    gated = nlp.get_pipe("kg_entity_ruler")
    assert isinstance(gated, GatedEntityRuler)
    plain = EntityRuler(nlp, name="plain", overwrite_ents=True, phrase_matcher_attr="LOWER")
    with nlp.select_pipes(enable=[]):
        plain.add_patterns(gated.patterns)
    ties = 0
    for doc in corpus_docs:
        expected = plain.match(doc)
        assert gated.match(doc) == expected, doc.text[:80]
        ties += len({(s, e) for _, s, e in expected}) < len(expected)
    assert 0 < ties < len(corpus_docs)  # both ways through match() were taken


def test_gated_ruler_sees_added_and_removed_patterns(nlp):
    ruler = GatedEntityRuler(nlp, name="t")
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns([{"label": "ORG", "id": "a", "pattern": [{"IS_TITLE": True}, {"TEXT": "Bureau"}]}])
        doc = nlp("The Tax Bureau said so.")
        assert [(doc[s:e].text) for _, s, e in ruler.match(doc)] == ["Tax Bureau"]
        ruler.add_patterns([{"label": "ORG", "id": "b", "pattern": [{"TEXT": "The"}, {"IS_TITLE": True},
                                                                     {"TEXT": "Bureau"}]}])
        assert [(doc[s:e].text) for _, s, e in ruler.match(doc)] == ["The Tax Bureau", "Tax Bureau"]
        ruler.remove("b")
        assert [(doc[s:e].text) for _, s, e in ruler.match(doc)] == ["Tax Bureau"]
