"""Entity resolution: one node per real-world entity across articles and languages.

Mentions are joined when they share a reference-data id, a text-defined alias (an acronym in
brackets), a matching key (case-folded, no leading "the", no possessive, no corporate suffix), or
(people) when a surname-only mention follows the full name in the same article. Mentions whose
coarse types differ stay apart (homonyms).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from rdflib import URIRef

from kg.extract.reference import ReferenceData
from kg.extract.types import ArticleExtraction, Mention
from kg.rdf.namespace import CLASS_COARSE
from kg.resolve.iri import entity_iri

_CORP_SUFFIX = re.compile(
    r"[\s,]+(group|holdings?|inc\.?|incorporated|ltd\.?|limited|co\.?|corp\.?|corporation|plc|llc|s\.?a\.?|ag|gmbh|"
    r"technology|technologies|international)$", re.I)
# Specificity of classes within a coarse type: a more specific class wins a vote tie.
_SPECIFIC = {"Organization": 0, "Company": 1, "Platform": 2, "MediaOutlet": 2, "Association": 2,
             "Place": 0, "Region": 1, "Country": 2, "City": 2}
_ORIGIN_WEIGHT = {"reference": 100, "cue": 3, "quoted": 2, "title": 1, "model": 1, "found": 0}


def vote_classes(extractions: list[ArticleExtraction]) -> dict[str, str]:
    """One class per name the model or a weak cue typed: the statistical model often calls the
    same Chinese or Indonesian name a person here and a place there; the weighted majority over
    the whole corpus wins (reference-data mentions are never re-typed)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for ex in extractions:
        for m in ex.mentions:
            if not m.ref:
                votes[norm(m.name)][m.cls] += _ORIGIN_WEIGHT.get(m.origin, 1)
    return {k: max(v.items(), key=lambda kv: (kv[1], _SPECIFIC.get(kv[0], 1), kv[0]))[0] for k, v in votes.items()}


def norm(name: str) -> str:
    """Scorer-compatible matching key: case-folded, spaces folded, no leading 'the ', no trailing 's."""
    s = " ".join(name.casefold().split())
    if s.startswith("the "):
        s = s[4:]
    if s.endswith("'s") or s.endswith("\u2019s"):
        s = s[:-2]
    return s


def match_key(name: str, coarse: str) -> str:
    k = norm(name)
    if coarse == "ORG":
        while True:
            k2 = _CORP_SUFFIX.sub("", k)
            if k2 == k or not k2:
                break
            k = k2
    return k


@dataclass
class Entity:
    key: str
    coarse: str
    cls: str = ""
    label: str = ""
    ref: str | None = None
    wikidata: str | None = None
    names: Counter = field(default_factory=Counter)
    class_votes: Counter = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)

    @property
    def iri(self) -> URIRef:
        return entity_iri(self.coarse, self.key)

    @property
    def alt_labels(self) -> list[str]:
        return sorted(n for n in self.names if n != self.label)


@dataclass
class Resolution:
    entities: dict[str, Entity]  # by entity id (coarse/key)
    mention_entity: dict[tuple[str, Mention], str]  # (article id, mention) -> entity id
    extractions: list[ArticleExtraction]

    def entity_of(self, article_id: str, mention: Mention) -> Entity:
        return self.entities[self.mention_entity[(article_id, mention)]]


def _retype(ex: ArticleExtraction, voted: dict[str, str]) -> ArticleExtraction:
    def fix(m: Mention) -> Mention:
        if m.ref:
            return m
        cls = voted.get(norm(m.name), m.cls)
        return m if cls == m.cls else replace(m, cls=cls)

    cache: dict[Mention, Mention] = {}

    def f(m: Mention) -> Mention:
        if m not in cache:
            cache[m] = fix(m)
        return cache[m]

    return ArticleExtraction(
        article=ex.article,
        mentions=[f(m) for m in ex.mentions],
        facts=[replace(x, subject=f(x.subject), object=f(x.object)) for x in ex.facts],
        figures=[replace(x, entity=f(x.entity)) for x in ex.figures],
    )


def resolve(extractions: list[ArticleExtraction], reference: ReferenceData) -> Resolution:
    entities: dict[str, Entity] = {}
    index: dict[tuple[str, str], str] = {}  # (coarse, match key) -> entity id
    mention_entity: dict[tuple[str, Mention], str] = {}

    def get_entity(coarse: str, key: str) -> Entity:
        eid = f"{coarse}/{key}"
        if eid not in entities:
            entities[eid] = Entity(key=key, coarse=coarse)
        return entities[eid]

    voted = vote_classes(extractions)
    extractions = [_retype(ex, voted) for ex in extractions]

    # Pass 1: reference-data mentions fix the identity of every alias they carry.
    for ref in reference.entities.values():
        coarse = CLASS_COARSE[ref.cls]
        for alias in ref.all_names:
            index.setdefault((coarse, match_key(alias, coarse)), f"{coarse}/{ref.id}")

    # Pass 2: text-defined aliases ("... commission (KPPU)") join their long form; a later bare
    # "KPPU" joins it too, whatever type the model gave the acronym.
    defined: dict[str, str] = {}
    for ex in extractions:
        for m in ex.mentions:
            coarse = CLASS_COARSE[m.cls]
            if m.ref:
                continue
            for alias in m.aliases:
                k_long, k_short = match_key(m.name, coarse), match_key(alias, coarse)
                target = index.get((coarse, k_long)) or index.get((coarse, k_short)) or f"{coarse}/{k_long}"
                index.setdefault((coarse, k_long), target)
                index.setdefault((coarse, k_short), target)
                defined.setdefault(norm(alias), target)

    for ex in extractions:
        aid = ex.article.id
        full_names: dict[str, str] = {}  # surname -> entity id of a full-name person in this article
        ordered = sorted(ex.mentions, key=lambda m: (m.passage, m.start))
        for m in ordered:
            coarse = CLASS_COARSE[m.cls]
            if m.ref:
                eid = f"{coarse}/{m.ref}"
            else:
                k = match_key(m.name, coarse)
                eid = index.get((coarse, k))
                if eid is None and m.origin != "cue":
                    eid = defined.get(norm(m.name))
                if eid is None and coarse == "PERSON" and " " not in m.name.strip():
                    eid = full_names.get(k)
                if eid is None:
                    eid = f"{coarse}/{k}"
                    index[(coarse, k)] = eid
            coarse_e, key = eid.split("/", 1)
            ent = get_entity(coarse_e, key)
            if m.ref:
                ref = reference.entities[m.ref]
                ent.ref, ent.label, ent.cls, ent.wikidata = ref.id, ref.name, ref.cls, ref.wikidata
                ent.names[ref.name] += 0
            ent.names[m.name] += 1
            for alias in m.aliases:
                ent.names[alias] += 1
            ent.class_votes[m.cls] += _ORIGIN_WEIGHT.get(m.origin, 1)
            ent.articles.add(aid)
            mention_entity[(aid, m)] = eid
            if coarse == "PERSON" and " " in m.name.strip():
                parts = m.name.split()
                full_names.setdefault(parts[-1].casefold(), eid)
                full_names.setdefault(parts[0].casefold(), eid)

    for ent in entities.values():
        if not ent.ref:
            best = max(ent.class_votes.items(), key=lambda kv: (kv[1], _SPECIFIC.get(kv[0], 1), kv[0]))
            ent.cls = best[0]
            # canonical name: the most frequent full form, longest on ties
            ent.label = max(ent.names.items(), key=lambda kv: (kv[1] > 0, len(kv[0].split()) > 1 and ent.coarse == "PERSON",
                                                               kv[1], len(kv[0]), kv[0]))[0]
    return Resolution(entities=entities, mention_entity=mention_entity, extractions=extractions)
