"""The generated vocabulary (kg/vocab.py) is current with ontology/platform.ttl and means what it says."""
from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg import vocab
from kg.rdf import vocab_gen
from kg.util import ontology_dir


def test_vocab_module_is_current():
    """Fails after an edit of platform.ttl until ``python -m kg.rdf.vocab_gen`` is run."""
    assert vocab_gen.TARGET.read_text(encoding="utf-8") == vocab_gen.render(), \
        "kg/vocab.py is stale: run python -m kg.rdf.vocab_gen"


def test_vocab_check_mode_reports_staleness(tmp_path, monkeypatch):
    monkeypatch.setattr(vocab_gen, "TARGET", tmp_path / "vocab.py")
    assert vocab_gen.main(["--check"]) == 1
    assert vocab_gen.main([]) == 0
    assert vocab_gen.main(["--check"]) == 0


def test_vocab_imports_nothing_of_ours():
    """The bottom layer: any stage may import it without pulling another stage in."""
    source = vocab_gen.TARGET.read_text(encoding="utf-8")
    assert "from kg" not in source and "import kg" not in source


@pytest.mark.parametrize("pred, subj, obj, fits", [
    ("worksFor", "PERSON", "GOV", True),
    ("worksFor", "ORG", "ORG", False),
    ("partnerOf", "PRODUCT", "ORG", False),
    ("launched", "ORG", "PRODUCT", True),
    ("operatesIn", "ORG", "PLACE", True),
    ("operatesIn", "PRODUCT", "PLACE", False),
    ("issued", "GOV", "LAW", True),
    ("regulates", "ORG", "ORG", False),
])
def test_vocab_signature_in_coarse_types(pred, subj, obj, fits):
    dom, rng = vocab.SIGNATURE[pred]
    assert (subj in dom and obj in rng) == fits


def test_vocab_signature_follows_the_ontology_hierarchy():
    """Every coarse type a signature admits has a class that is, or is under, a domain/range class."""
    def up(c):
        while c:
            yield c
            c = vocab.CLASS_PARENT.get(c)

    for pred, (dom, rng) in vocab.SIGNATURE.items():
        for coarse, declared in ((dom, vocab.SIGNATURE_CLASSES[pred][0]), (rng, vocab.SIGNATURE_CLASSES[pred][1])):
            derived = {vocab.CLASS_COARSE[c] for c in vocab.CLASS_COARSE if set(up(c)) & set(declared)}
            assert derived == set(coarse), pred


def test_vocab_terms_are_documented_in_the_ontology():
    onto = Graph().parse(ontology_dir() / "platform.ttl")
    for name in vocab.PKG.__annotations__:
        term = URIRef(str(vocab.PKG._NS) + name)
        assert (term, RDFS.label, None) in onto and (term, RDFS.comment, None) in onto, name
    with pytest.raises(AttributeError):
        vocab.PKG.workFor  # noqa: B018  (a misspelt term is an error, not a new IRI)
