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


def _far_refs(nlp, passages):
    """Passage index -> {referring words: target names} of the article-level step."""
    docs = list(enumerate(nlp.pipe(passages)))
    far = nlp.get_pipe("kg_coref").link_passages(docs)
    return {pi: {docs[pi][1][r.start:r.end].text: (sorted(t.name for t in r.targets), r.home[0]) for r in refs}
            for pi, refs in far.items()}


@pytest.mark.parametrize("passages,pi,ref,targets", [
    # a definite description of a regulator, named one passage earlier
    (["Singapore's Competition and Consumer Commission opened a review of the deal.",
      "The regulator said Grab must keep fares unchanged."], 1, "The regulator",
     (["Competition and Consumer Commission"], 0)),
    # "It" opening a passage: the subject of the passage before, here a law
    (["The Platform Workers Act took effect in January.", "It requires Grab and Gojek to pay pension contributions."],
     1, "It", (["Platform Workers Act"], 0)),
    # a counted plural: the last coordinated set of that size, two passages back
    (["Regulators summoned Meituan, Ele.me and JD.com on Friday.", "Prices of meal deals had fallen by half.",
      "The three platforms promised to stop the subsidies."], 2, "The three platforms",
     (["Ele.me", "JD.com", "Meituan"], 0)),
])
def test_coref_resolves_references_to_earlier_passages(nlp, passages, pi, ref, targets):
    assert _far_refs(nlp, passages).get(pi, {}).get(ref) == targets


@pytest.mark.parametrize("passages", [
    # resolved inside its own passage: not the article-level step's business
    ["The European Commission fined Meta.", "The Dutch regulator then fined Uber, and the regulator said more would follow."],
    # "the company" across passages: an organisation is referred to across passages only by name
    ["Rakuten opened a warehouse in Osaka.", "The company said it would hire 500 staff."],
    # nothing earlier to refer to
    ["Profits rose sharply.", "The regulator said it was satisfied."],
])
def test_coref_across_passages_leaves_other_references(nlp, passages):
    far = _far_refs(nlp, passages)
    assert all("regulator" not in words.lower() and "company" not in words.lower()
               for refs in far.values() for words in refs), far


def test_fact_stated_through_an_earlier_passage(nlp):
    """The guidelines' example: a second sentence refers back ("The rule ... It bars TikTok Shop")."""
    from conftest import extract_text

    ex = extract_text(nlp, "Indonesia's Trade Ministry issued Regulation No. 31 of 2023 in September.\n\n"
                           "The regulation bars TikTok Shop from processing payments.")
    facts = {(f.subject.name, f.predicate, f.object.name) for f in ex.facts if f.modality == "asserted"}
    assert any(p == "appliesTo" and o == "TikTok Shop" and "Regulation No. 31 of 2023" in s for s, p, o in facts), facts
