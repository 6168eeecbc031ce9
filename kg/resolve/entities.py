"""Entity resolution: one node per real-world entity across articles and languages.

Mentions are joined when they share a reference-data id, a text-defined alias (an acronym in
brackets), a matching key (case-folded, no leading "the", no possessive, no corporate suffix), or
(people) when a surname-only mention follows the full name in the same article. Mentions whose
coarse types differ stay apart (homonyms).

This is also the one place where an entity's class is decided, before any relation is accepted
(issue 15): extraction checks a fact's argument types with the classes it sees in one sentence,
but the corpus-wide vote may re-type a name afterwards (ORG -> PRODUCT), and nothing else would
reconcile the two. So the slot a name fills in a fact is type evidence that takes part in the
vote (the object of ``partnerOf`` is an organisation), and after the vote every fact is checked
against its predicate's signature (:data:`kg.vocab.SIGNATURE`) with the final classes: a fact
that fits after an argument was re-typed keeps a note of that decision (``pkg:typeDecision`` on
its statement); a fact that no longer fits is dropped and listed in :attr:`Resolution.dropped`.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from rdflib import URIRef

from kg.extract.reference import ReferenceData
from kg.extract.types import ArticleExtraction, Fact, Mention
from kg.resolve.iri import ENTITY_BASE, entity_iri
from kg.vocab import CLASS_COARSE, SIGNATURE, SIGNATURE_CLASSES

_CORP_SUFFIX = re.compile(
    r"[\s,]+(group|holdings?|inc\.?|incorporated|ltd\.?|limited|co\.?|corp\.?|corporation|plc|llc|s\.?a\.?|ag|gmbh|"
    r"technology|technologies|international)$", re.I)
# Specificity of classes within a coarse type: a more specific class wins a vote tie.
_SPECIFIC = {"Organization": 0, "Company": 1, "Platform": 2, "MediaOutlet": 2, "Association": 2,
             "Place": 0, "Region": 1, "Country": 2, "City": 2}
_ORIGIN_WEIGHT = {"reference": 100, "cue": 3, "quoted": 2, "title": 1, "model": 1, "found": 0}
# A name's slot in a fact (subject of worksFor, object of partnerOf...) weighs like a quoted name:
# a relation rule read a whole clause around it, the model only the name's neighbourhood.
_SLOT_WEIGHT = 2


def slot_fits(predicate: str, slot: int, cls: str) -> bool:
    """Whether class ``cls`` may fill ``slot`` (0 subject, 1 object) of ``predicate`` (its signature)."""
    return CLASS_COARSE.get(cls) in SIGNATURE[predicate][slot]


def _slot_class(predicate: str, slot: int, cls: str) -> str:
    """The class a fact's slot votes for: the mention's own class if it fits, else the slot's class."""
    return cls if slot_fits(predicate, slot, cls) else SIGNATURE_CLASSES[predicate][slot][0]


def vote_classes(extractions: list[ArticleExtraction]) -> dict[str, str]:
    """One class per name the model or a weak cue typed: the statistical model often calls the
    same Chinese or Indonesian name a person here and a place there; the weighted majority over
    the whole corpus wins (reference-data mentions are never re-typed). Each fact a name fills
    votes too, for a class its slot admits (see the module docstring)."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for ex in extractions:
        count_votes(votes, ex)
    return winners(votes)


def count_votes(votes: dict[str, Counter], ex: ArticleExtraction) -> None:
    """Add one article's class votes to ``votes`` (by name key; see :func:`vote_classes`): a build
    that streams its articles counts them as they come, without keeping the articles."""
    for m in ex.mentions:
        if not m.ref:
            votes[norm(m.name)][m.cls] += _ORIGIN_WEIGHT.get(m.origin, 1)
    for f in ex.facts:
        for slot, m in enumerate((f.subject, f.object)):
            if not m.ref and f.predicate in SIGNATURE:
                votes[norm(m.name)][_slot_class(f.predicate, slot, m.cls)] += _SLOT_WEIGHT


def winners(votes: dict[str, Counter]) -> dict[str, str]:
    """The winning class of each name's votes."""
    return {k: _winner(v) for k, v in votes.items()}


def _winner(votes: Counter) -> str:
    """The class with most weight; a more specific class wins a tie, then the name (deterministic)."""
    return max(votes.items(), key=lambda kv: (kv[1], _SPECIFIC.get(kv[0], 1), kv[0]))[0]


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
class DroppedFact:
    """A fact whose arguments' final classes do not fit its predicate's signature."""

    article_id: str
    fact: Fact
    reason: str  # "object ent:product/vurjo is a Product; partnerOf needs GOV or ORG"


@dataclass
class Resolution:
    entities: dict[str, Entity]  # by entity id (coarse/key)
    mention_entity: dict[tuple[str, Mention], str]  # (article id, mention) -> entity id
    extractions: list[ArticleExtraction]  # with only the facts that fit their signature
    # (article id, index in that article's facts) -> how an argument's class was decided, for facts
    # kept after an argument was re-typed (written as pkg:typeDecision on the statement)
    type_notes: dict[tuple[str, int], str] = field(default_factory=dict)
    dropped: list[DroppedFact] = field(default_factory=list)

    def entity_of(self, article_id: str, mention: Mention) -> Entity:
        return self.entities[self.mention_entity[(article_id, mention)]]


def retype(ex: ArticleExtraction, voted: dict[str, str]) -> ArticleExtraction:
    """The article with each name of the model or a weak cue given the class the corpus voted."""
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
    voted = vote_classes(extractions)
    originals = extractions
    extractions = [retype(ex, voted) for ex in extractions]
    resolver = Resolver(reference)
    for ex in extractions:
        resolver.aliases(ex)
    mention_entity: dict[tuple[str, Mention], str] = {}
    for ex in extractions:
        for m, eid in resolver.assign(ex, track_articles=True).items():
            mention_entity[(ex.article.id, m)] = eid
    resolver.finish()
    res = Resolution(entities=resolver.entities, mention_entity=mention_entity, extractions=extractions)
    _check_signatures(res, originals)
    return res


class Resolver:
    """Resolution in steps, one article at a time, so that a build can stream its articles from
    disk (see :mod:`kg.resolve.stream`) and give what :func:`resolve` gives in memory: every
    (retyped, see :func:`retype`) article through :meth:`aliases`, then every article in the same
    order through :meth:`assign`, then :meth:`finish`; then :meth:`check` each article's facts.
    What it holds is the registry: entities with their names and votes, and the name index."""

    def __init__(self, reference: ReferenceData):
        self.reference = reference
        self.entities: dict[str, Entity] = {}
        self.index: dict[tuple[str, str], str] = {}  # (coarse, match key) -> entity id
        self.defined: dict[str, str] = {}
        # Pass 1: reference-data mentions fix the identity of every alias they carry.
        for ref in reference.entities.values():
            coarse = CLASS_COARSE[ref.cls]
            for alias in ref.all_names:
                self.index.setdefault((coarse, match_key(alias, coarse)), f"{coarse}/{ref.id}")

    def aliases(self, ex: ArticleExtraction) -> None:
        """Pass 2: text-defined aliases ("... commission (KPPU)") join their long form; a later
        bare "KPPU" joins it too, whatever type the model gave the acronym."""
        index, defined = self.index, self.defined
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

    def _entity(self, coarse: str, key: str) -> Entity:
        eid = f"{coarse}/{key}"
        if eid not in self.entities:
            self.entities[eid] = Entity(key=key, coarse=coarse)
        return self.entities[eid]

    def assign(self, ex: ArticleExtraction, track_articles: bool = False) -> dict[Mention, str]:
        """The entity id of each mention of one article (articles in corpus order: a name's
        first article decides where a later bare name goes). ``track_articles`` records the
        article in :attr:`Entity.articles` (a streamed build does not keep that set)."""
        index, defined, reference = self.index, self.defined, self.reference
        aid = ex.article.id
        out: dict[Mention, str] = {}
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
            ent = self._entity(coarse_e, key)
            if m.ref:
                ref = reference.entities[m.ref]
                ent.ref, ent.label, ent.cls, ent.wikidata = ref.id, ref.name, ref.cls, ref.wikidata
                ent.names[ref.name] += 0
            ent.names[m.name] += 1
            for alias in m.aliases:
                ent.names[alias] += 1
            ent.class_votes[m.cls] += _ORIGIN_WEIGHT.get(m.origin, 1)
            if track_articles:
                ent.articles.add(aid)
            out[m] = eid
            if coarse == "PERSON" and " " in m.name.strip():
                parts = m.name.split()
                full_names.setdefault(parts[-1].casefold(), eid)
                full_names.setdefault(parts[0].casefold(), eid)
        return out

    def finish(self) -> None:
        """Each entity's class and label, from all its mentions."""
        for ent in self.entities.values():
            if not ent.ref:
                # only classes of the entity's own coarse type (an acronym typed ORG that joined a
                # government body by its text-defined alias must not make the body a Company)
                own = Counter({c: n for c, n in ent.class_votes.items() if CLASS_COARSE[c] == ent.coarse})
                ent.cls = _winner(own or ent.class_votes)
                # canonical name: the most frequent full form, longest on ties
                ent.label = max(ent.names.items(), key=lambda kv: (kv[1] > 0, len(kv[0].split()) > 1 and ent.coarse == "PERSON",
                                                                   kv[1], len(kv[0]), kv[0]))[0]

    def check(self, ex: ArticleExtraction, orig: ArticleExtraction, mentions: dict[Mention, str]
              ) -> tuple[dict[int, str], list[DroppedFact]]:
        """:func:`check_facts` with this resolver's entities."""
        return check_facts(ex, orig, lambda m: self.entities[mentions[m]])


def _check_signatures(res: Resolution, originals: list[ArticleExtraction]) -> None:
    """Keep the facts whose arguments' final classes fit the predicate; note re-typings, drop the rest."""
    for ex, orig in zip(res.extractions, originals):
        aid = ex.article.id
        notes, dropped = check_facts(ex, orig, lambda m, aid=aid: res.entity_of(aid, m))
        res.type_notes.update(((aid, i), note) for i, note in notes.items())
        res.dropped.extend(dropped)


def check_facts(ex: ArticleExtraction, orig: ArticleExtraction, entity_of) -> tuple[dict[int, str], list[DroppedFact]]:
    """Keep (in ``ex.facts``) the facts of one article whose arguments' final classes
    (``entity_of(mention)``) fit the predicate; the notes of re-typed ones (by index among the
    kept facts) and the dropped ones."""
    aid, kept = ex.article.id, []
    notes: dict[int, str] = {}
    dropped: list[DroppedFact] = []
    for f, f0 in zip(ex.facts, orig.facts):
        ents = (entity_of(f.subject), entity_of(f.object))
        misfit = [(slot, e) for slot, e in enumerate(ents) if not slot_fits(f.predicate, slot, e.cls)]
        if misfit:
            slot, e = misfit[0]
            allowed = " or ".join(sorted(SIGNATURE[f.predicate][slot]))
            dropped.append(DroppedFact(aid, f0, f"{('subject', 'object')[slot]} ent:{str(e.iri)[len(ENTITY_BASE):]} "
                                                f"is a {e.cls}; {f.predicate} needs {allowed}"))
            continue
        why = [f"{('subject', 'object')[slot]} typed {m0.cls} by extraction, {e.cls} by the corpus vote"
               for slot, (m0, e) in enumerate(zip((f0.subject, f0.object), ents))
               if CLASS_COARSE[m0.cls] != CLASS_COARSE[e.cls]]
        if why:
            notes[len(kept)] = "; ".join(why)
        kept.append(f)
    ex.facts[:] = kept
    return notes, dropped
