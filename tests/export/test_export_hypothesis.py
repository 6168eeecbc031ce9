"""Property test: graphs built through our own RDF layer from hostile names round-trip exactly
through every export format and its independent strict reader.

Names hold quotes, backslashes, newlines, tabs, ``<>``, control characters (U+0000 included),
emoji and CJK. Extraction results are constructed by hand (``Mention``/``Fact``/``Figure``,
``Article``/``Passage``) and go through the real ``resolve`` and ``to_graph``, so IRIs are minted
by :mod:`kg.resolve.iri` and literals by :mod:`kg.rdf.mapping`.

CI (``CI=true``) runs the ``kg-ci`` profile: 500 generated graphs. Locally ``kg-dev`` runs 30.
"""
from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from export_readers import roundtrip_all
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from kg.extract.reference import ReferenceData
from kg.extract.types import ArticleExtraction, Evidence, Fact, Figure, Mention
from kg.ingest.article import Article, Passage
from kg.rdf.mapping import to_graph
from kg.rdf.namespace import CLASS_COARSE, METRIC_TYPES, MODALITIES, PREDICATES
from kg.resolve.entities import resolve
from kg.resolve.iri import ENTITY_BASE, mint

settings.register_profile("kg-ci", max_examples=500, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("kg-dev", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("kg-ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "kg-dev")

HOSTILE = ['"', "'", "\\", "\n", "\r", "\t", "<", ">", "\x00", "\x01", "\x08", "\x0b", "\x1f", "\x7f",
           "😀", "👩‍💻", "中文", "小红书", "「」", "&", "%", "%20", "#", "|", ";", ",", " ", '"""', "'''",
           "\u2028", "\ufeff", "é", "e\u0301", "/", "?", "@", "{}", "\\u0041", "_:b", "^^", "\ud7ff", "\ufffd"]

name_part = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=4))
names = st.lists(name_part, min_size=1, max_size=5).map("".join)
texts = st.lists(name_part, min_size=0, max_size=6).map("".join)
classes = st.sampled_from(sorted(CLASS_COARSE))
decimals = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False,
                       allow_infinity=False, places=3)
dates = st.sampled_from(["", "2025", "2024-11", "2023-10-05"])


@st.composite
def extractions(draw):
    n_articles = draw(st.integers(1, 2))
    out = []
    for i in range(n_articles):
        body = draw(texts)
        art = Article(id=f"{i}-{draw(names)}", title=draw(texts), source=draw(texts),
                      date=draw(st.sampled_from(["", "2025-08-14", "2025-08-14T04:43"])),
                      path=draw(st.sampled_from(["", "in.txt", "dir with space/ü.md"])),
                      line=draw(st.integers(0, 3)), passages=[Passage(text=body)])
        ev = Evidence(passage=0, start=0, end=len(body), text=draw(texts))
        mentions = [Mention(name=draw(names), cls=draw(classes), passage=0, start=k, end=k + 1,
                            aliases=tuple(draw(st.lists(names, max_size=1))))
                    for k in range(draw(st.integers(1, 4)))]
        facts = []
        for _ in range(draw(st.integers(0, 3))):
            s, o = draw(st.sampled_from(mentions)), draw(st.sampled_from(mentions))
            quals = {}
            if draw(st.booleans()):
                quals = {"role": draw(texts), "stakePercent": draw(decimals), "date": draw(dates)}
            facts.append(Fact(subject=s, predicate=draw(st.sampled_from(sorted(PREDICATES))), object=o,
                              evidence=ev, rule=draw(texts), confidence=draw(st.floats(0, 1)),
                              modality=draw(st.sampled_from(MODALITIES)), qualifiers=quals))
        figures = [Figure(entity=draw(st.sampled_from(mentions)), metric_type=draw(st.sampled_from(METRIC_TYPES)),
                          value=draw(decimals), unit=draw(st.sampled_from(["USD", "CNY", "percent", "count"])),
                          date=draw(dates), evidence=ev, rule=draw(texts), confidence=draw(st.floats(0, 1)))
                   for _ in range(draw(st.integers(0, 2)))]
        out.append(ArticleExtraction(article=art, mentions=mentions, facts=facts, figures=figures))
    return out


EXAMPLES = {"count": 0}


@PROFILE
@given(extractions())
def test_export_hypothesis_every_format_roundtrips(exs):
    graph = to_graph(resolve(exs, ReferenceData()))
    for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
        ox.NamedNode(str(term))  # strict IRI check: raises on anything invalid
    with tempfile.TemporaryDirectory(prefix="kg-rt-") as d:
        ran = roundtrip_all(graph, Path(d))
    assert len(ran) >= 8
    EXAMPLES["count"] += 1


segments = st.lists(st.text(max_size=12), min_size=1, max_size=3)


@PROFILE
@given(segments)
def test_export_hypothesis_mint_gives_strict_iris(segs):
    iri = mint(*segs)
    node = ox.NamedNode(str(iri))
    assert node.value == str(iri)
    assert mint(*segs) == iri  # deterministic
    path = str(iri)[len(ENTITY_BASE):]
    # only unreserved characters and %XX escapes, one '/' between segments
    assert path.count("/") == len(segs) - 1
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%/")
    assert set(path) <= allowed, path
