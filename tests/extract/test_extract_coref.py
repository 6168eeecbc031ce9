"""Coreference on the real pipeline: pronouns, definite descriptions and counted plurals resolve to
named mentions of a compatible class; nothing resolves to an entity the text has not named."""
from __future__ import annotations

import pytest


def _refs(nlp, text):
    doc = nlp(text)
    return {doc[r.start:r.end].text: sorted(t.name for t in r.targets) for r in doc._.kg_refs}


@pytest.mark.parametrize("text,ref,targets", [
    ("Rakuten opened a new warehouse. The company said it would hire 500 staff.", "The company", ["Rakuten"]),
    ("The European Commission fined Meta on Monday. The regulator said the fine was final.", "The regulator",
     ["European Commission"]),
    ("Shopee, Lazada and Tokopedia face a new licensing rule, and the three companies must register by June.",
     "the three companies", ["Lazada", "Shopee", "Tokopedia"]),
    ("Flipkart and Meesho cut seller fees, and both platforms said orders rose.", "both platforms",
     ["Flipkart", "Meesho"]),
    ("Zalando said its logistics arm would open in Poland.", "its", ["Zalando"]),
])
def test_coref_resolves_references(nlp, text, ref, targets):
    refs = _refs(nlp, text)
    assert refs.get(ref) == targets, refs


@pytest.mark.parametrize("text,ref", [
    # no named organisation before it: unresolved, never the article's topic
    ("The company said profits rose.", "The company"),
    # a relational noun names another entity
    ("Lazada grew fast. Its parent said sales doubled.", "Its parent"),
    # a counted plural whose size matches no coordinated set
    ("Grab and Gojek met officials, and the three companies agreed.", "the three companies"),
])
def test_coref_leaves_unresolvable_references(nlp, text, ref):
    assert ref not in _refs(nlp, text)


@pytest.mark.parametrize("text,ref,coarse", [
    ("Indonesia's Trade Ministry met Shopee. The ministry then warned sellers.", "The ministry", "GOV"),
    ("Shopee met Indonesia's Trade Ministry. The marketplace then warned sellers.", "The marketplace", "ORG"),
])
def test_coref_agrees_in_type(nlp, text, ref, coarse):
    from kg.rdf.namespace import CLASS_COARSE

    doc = nlp(text)
    found = [r for r in doc._.kg_refs if doc[r.start:r.end].text == ref]
    assert found and all(CLASS_COARSE[t.cls] == coarse for t in found[0].targets)
