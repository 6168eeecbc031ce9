"""Coreference: which named entities a pronoun, a definite description or a counted plural refers to.

The guidelines annotate facts stated through references ("its", "the ministry", "the three
companies") on the named entities they refer to. This component links each such reference in a
passage to the most recent compatible named mention before it (type agreement by the head noun's
classes, ``kg/ontology/lexicons/coref.json``); a plural ("they", "both platforms", "the three
companies") to the last coordinated set of named mentions of that size. There is no fallback to
the article's topic: an unresolved reference stays unresolved.

``doc._.kg_refs`` holds :class:`Reference` objects (token span, kind, the EntMentions it refers to).

A reference with nothing to refer to in its own passage ("The regulator said ...", "It bars ...",
"The three platforms ...") is resolved at the article level against the passages before it
(:meth:`Coreference.link_passages`): the guidelines annotate facts split over sentences when the
second one refers back, and a passage is often one sentence.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from kg.extract.entities import EntMention
from kg.extract.reference import load_reference
from kg.vocab import CLASS_COARSE

# a single entity named in an earlier passage is referred to across passages only when it is a
# regulator or a law ("The rule ... It bars TikTok Shop"): measured on the training corpus, "it" and
# "the company" across passages named the wrong organisation more often than the right one
FAR_SINGLE = ("GOV", "LAW")

if not Doc.has_extension("kg_refs"):
    Doc.set_extension("kg_refs", default=None)


@dataclass
class Reference:
    start: int  # token span of the referring words
    end: int
    kind: str  # pronoun | description | plural
    targets: list[EntMention]
    home: tuple | None = None  # (passage index, Doc) of the targets when they are named in an earlier passage

    def root(self, doc: Doc) -> Token:
        return doc[self.start:self.end].root


@Language.factory("kg_coref", default_config={"ontology_dir": None}, requires=["doc._.kg_ents"],
                  assigns=["doc._.kg_refs"])
def make_coref(nlp: Language, name: str, ontology_dir: str | None):
    return Coreference(load_reference(ontology_dir).lexicon("coref"))


class Coreference:
    def __init__(self, lex: dict):
        self.pronouns: dict[str, str] = lex["pronouns"]
        self.descriptions: dict[str, list[str]] = lex["descriptions"]
        self.relational = set(lex["relational"])
        self.definite = set(lex["definite"])
        self.counts: dict[str, int] = lex["counts"]

    def __call__(self, doc: Doc) -> Doc:
        ents = sorted(doc._.kg_ents or [], key=lambda m: m.start)
        in_ent = {i for m in ents for i in range(m.start, m.end)}
        by_root = {m.root(doc).i: m for m in ents}
        sets = self._coordinated_sets(doc, ents, by_root)
        refs: list[Reference] = []
        for tok in doc:
            if tok.i in in_ent:
                continue
            ref = self._resolve(doc, tok, ents, sets)
            if ref is not None and ref.targets:
                refs.append(ref)
        doc._.kg_refs = refs
        return doc

    # -- across passages ----------------------------------------------------------------------
    def link_passages(self, docs: list) -> dict[int, list[Reference]]:
        """Article-level step: for each passage (``docs`` is ``[(passage index, Doc), ...]`` in text
        order), the references that have nothing to refer to before them in their own passage,
        resolved against the named mentions of the earlier passages. Returns passage index ->
        references whose targets live in another passage (``Reference.home``); the Docs are left
        as they are."""
        out: dict[int, list[Reference]] = {}
        prior: list[tuple[EntMention, int, Doc]] = []  # named mentions of earlier passages, text order
        prior_sets: list[tuple[list[EntMention], int, Doc]] = []
        for pi, doc in docs:
            ents = sorted(doc._.kg_ents or [], key=lambda m: m.start)
            if prior:
                done = {i for r in doc._.kg_refs or [] for i in range(r.start, r.end)}
                in_ent = {i for m in ents for i in range(m.start, m.end)}
                refs = []
                new: set[str] = set()  # classes of an unnamed new entity this passage introduced ("the Dutch regulator")
                for tok in doc:
                    if tok.i in in_ent or tok.i in done:
                        continue
                    head = self._description(doc, tok, ents)
                    if head is not None and head[2] is None and any(
                            c.dep_ in ("amod", "compound", "nmod", "npadvmod") or c.dep_ == "prep" and c.i > tok.i
                            for c in tok.children):
                        new.update(head[1])  # a modified description names another entity than the earlier ones
                        continue
                    if head is not None and new & set(head[1]):
                        continue
                    ref = self._resolve_far(doc, tok, head, ents, prior, prior_sets)
                    if ref is not None:
                        refs.append(ref)
                        done.update(range(ref.start, ref.end))
                if refs:
                    out[pi] = refs
            by_root = {m.root(doc).i: m for m in ents}
            prior.extend((m, pi, doc) for m in ents)
            prior_sets.extend((members, pi, doc) for _, members in self._coordinated_sets(doc, ents, by_root))
        return out

    def _resolve_far(self, doc: Doc, tok: Token, head, ents: list[EntMention], prior: list, prior_sets: list):
        """A reference of ``doc`` with no compatible named mention before it in ``doc``, resolved
        against the earlier passages: a pronoun to the subject of the passage before (else its last
        organisation or regulator), a definite description (``head``, see :meth:`_description`) to
        the most recent mention of its class, each only when that is a regulator or a law
        (``FAR_SINGLE``); a counted plural to the last coordinated set of that size."""
        low = tok.lower_
        if low in self.pronouns and tok.pos_ == "PRON" or (low in ("its", "their") and tok.dep_ == "poss"):
            if any(m.end <= tok.i and CLASS_COARSE[m.cls] in ("ORG", "GOV") for m in ents):
                return None
            if self.pronouns.get(low) == "plural":
                return self._far_set(tok.i, tok.i + 1, "pronoun", prior_sets, None, ("ORG", "GOV"))
            last_pi = prior[-1][1]
            last = [(m, p, d) for m, p, d in prior if p == last_pi]
            subjects = [x for x in last if CLASS_COARSE[x[0].cls] in ("ORG", "GOV", "LAW")
                        and x[0].root(x[2]).dep_ in ("nsubj", "nsubjpass")]
            orgs = [x for x in last if CLASS_COARSE[x[0].cls] in ("ORG", "GOV")]
            pick = subjects[0] if subjects else (orgs[-1] if orgs else None)
            if pick is None or CLASS_COARSE[pick[0].cls] not in FAR_SINGLE:
                return None
            return Reference(tok.i, tok.i + 1, "pronoun", [pick[0]], (pick[1], pick[2]))
        if head is None:
            return None
        start, coarse, count = head
        if any(m.end <= start and CLASS_COARSE[m.cls] in coarse for m in ents):
            return None
        if count is not None:
            return self._far_set(start, tok.i + 1, "plural", prior_sets, count, coarse)
        for m, p, d in reversed(prior):
            if CLASS_COARSE[m.cls] in coarse and CLASS_COARSE[m.cls] in FAR_SINGLE:
                return Reference(start, tok.i + 1, "description", [m], (p, d))
        return None

    @staticmethod
    def _far_set(start: int, end: int, kind: str, prior_sets: list, size: int | None, coarse) -> Reference | None:
        for members, p, d in reversed(prior_sets):
            typed = [m for m in members if CLASS_COARSE[m.cls] in coarse]
            if size is None and len(typed) >= 2 or size is not None and len(typed) == size:
                return Reference(start, end, kind, typed, (p, d))
        return None

    # -- what a token refers to ---------------------------------------------------------------
    def _resolve(self, doc: Doc, tok: Token, ents: list[EntMention], sets: list[tuple[int, list[EntMention]]]):
        low = tok.lower_
        if low in self.pronouns and tok.pos_ == "PRON" or (low in ("its", "their") and tok.dep_ == "poss"):
            before = [m for m in ents if m.end <= tok.i and CLASS_COARSE[m.cls] in ("ORG", "GOV")]
            if self.pronouns.get(low) == "plural":
                group = self._last_set(sets, tok.i, None, ("ORG", "GOV"))
                return Reference(tok.i, tok.i + 1, "pronoun", group) if group else None
            m = self._subject_first(doc, tok, before)
            return Reference(tok.i, tok.i + 1, "pronoun", [m]) if m is not None else None
        head = self._description(doc, tok, ents)
        if head is None:
            return None
        start, coarse, count = head
        if count is not None:
            group = self._last_set(sets, tok.i, count, coarse)
            return Reference(start, tok.i + 1, "plural", group) if group else None
        before = [m for m in ents if m.end <= start and CLASS_COARSE[m.cls] in coarse]
        if not before:
            return None
        return Reference(start, tok.i + 1, "description", [before[-1]])

    def _description(self, doc: Doc, tok: Token, ents: list[EntMention]):
        """(first token, coarse classes, count or None) when ``tok`` heads a definite description
        ("the regulator") or a counted plural ("the three companies", "both platforms")."""
        if tok.pos_ not in ("NOUN", "PROPN"):
            return None
        lemma = tok.lemma_.lower()
        if lemma in self.relational or lemma not in self.descriptions:
            return None
        if tok.dep_ == "compound":  # "the app store": the head decides
            return None
        dets = [c for c in tok.children if c.dep_ in ("det", "predet", "nummod", "poss") and c.i < tok.i]
        if not dets or any(c.dep_ == "poss" for c in dets):
            return None
        if any(c.i > tok.i and c.dep_ in ("compound",) for c in tok.children):
            return None
        coarse = tuple(self.descriptions[lemma])
        start = min(c.i for c in dets)
        count = next((self.counts[c.lower_] for c in dets if c.lower_ in self.counts), None)
        if count is not None:
            return start, coarse, count
        if not any(c.lower_ in self.definite for c in dets) or tok.tag_ in ("NNS", "NNPS"):
            return None
        # a named entity right after ("the app Temu") is an apposition, not a reference
        nxt = tok.i + 1
        if nxt < len(doc) and any(m.start == nxt for m in ents):
            return None
        return start, coarse, None

    @staticmethod
    def _subject_first(doc: Doc, tok: Token, before: list[EntMention]) -> EntMention | None:
        """'it'/'its': the subject of its own clause when that comes before it, else the most recent
        subject of an earlier sentence, else the most recent organisation."""
        if not before:
            return None
        sent_start = tok.sent.start
        subjects = [m for m in before if m.root(doc).dep_ in ("nsubj", "nsubjpass")]
        same = [m for m in subjects if m.start >= sent_start]
        # "X said its ..." -> X; but never the subject of the clause "its" itself is part of
        own = {t.i for t in tok.head.subtree} if tok.dep_ == "poss" else set()
        same = [m for m in same if m.start not in own]
        if same:
            return same[-1]
        earlier = [m for m in subjects if m.start < sent_start]
        if earlier:
            return earlier[-1]
        return before[-1]

    @staticmethod
    def _coordinated_sets(doc: Doc, ents: list[EntMention], by_root: dict) -> list[tuple[int, list[EntMention]]]:
        """Sets of named mentions coordinated with each other ('A, B and C'), in text order."""
        out: list[tuple[int, list[EntMention]]] = []
        seen: set[int] = set()
        for m in ents:
            root = m.root(doc)
            if root.i in seen:
                continue
            members = [by_root[t.i] for t in [root, *root.conjuncts] if t.i in by_root]
            for c in root.children:
                if c.dep_ == "appos" and c.i in by_root:
                    members.append(by_root[c.i])
            members = sorted({id(x): x for x in members}.values(), key=lambda x: x.start)
            seen.update(x.root(doc).i for x in members)
            if len(members) >= 2:
                out.append((members[-1].end, members))
        return out

    @staticmethod
    def _last_set(sets, before: int, size: int | None, coarse) -> list[EntMention]:
        for end, members in reversed(sets):
            if end > before:
                continue
            typed = [m for m in members if CLASS_COARSE[m.cls] in coarse]
            if size is None and len(typed) >= 2 or size is not None and len(typed) == size:
                return typed
        return []
