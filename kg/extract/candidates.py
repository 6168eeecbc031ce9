"""Relation candidates and their features.

A candidate is a (subject, predicate, object) between two *slots* of one sentence whose classes fit
the predicate's signature. A slot is a named mention, or a reference (pronoun, definite
description, counted plural) resolved by :mod:`kg.extract.coref` to the named entities it stands
for: "the three companies" gives one slot per company. The features describe the sentence
between and around the two slots (dependency path, words between, trigger lexicon classes on the
path, coordination, modality cues) and which hand-written rules fired for the same triple; the
trained classifier (:mod:`kg.extract.classifier`) turns them into a probability.

Everything here is plain data so that training (:mod:`kg.train`) and extraction share one code path.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.entities import EntMention
from kg.vocab import CLASS_COARSE

# predicate -> (allowed subject coarse types, allowed object coarse types)
SIGNATURE = {
    "worksFor": ({"PERSON"}, {"ORG", "GOV"}),
    "partnerOf": ({"ORG"}, {"ORG"}),
    "competesWith": ({"ORG"}, {"ORG"}),
    "acquiredStakeIn": ({"ORG"}, {"ORG"}),
    "subsidiaryOf": ({"ORG"}, {"ORG"}),
    "regulates": ({"GOV"}, {"ORG"}),
    "launched": ({"ORG"}, {"PRODUCT", "ORG"}),
    "operatesIn": ({"ORG"}, {"PLACE"}),
    "issued": ({"GOV"}, {"LAW"}),
    "appliesTo": ({"LAW"}, {"ORG"}),
}
SYMMETRIC = {"partnerOf", "competesWith"}
MAX_BETWEEN = 14  # words between two slots that still count as a bag of words
_MODALS = {"would", "could", "may", "might", "should"}


@dataclass
class Slot:
    entity: EntMention  # the named mention (for a reference: the entity it refers to)
    anchor: Token  # where the sentence mentions it (the reference's head for references)
    start: int  # token span of the words in this sentence
    end: int
    via: str = ""  # "" for a named mention, else pronoun | description | plural ("-far": named in an earlier passage)
    home: tuple | None = None  # (passage index, Doc) where the entity is named, when not in this passage
    group: frozenset = frozenset()  # for a plural reference: the keys of every entity it stands for


@dataclass
class Candidate:
    subject: Slot
    predicate: str
    object: Slot
    sent: Span
    features: list[str] = field(default_factory=list)
    modality: str = "asserted"
    conjuncts: tuple[str, str] = ("", "")


def coarse(m: EntMention) -> str:
    return CLASS_COARSE[m.cls]


def entity_key(m) -> str:
    """Which entity a mention (EntMention or Mention) names within an article: its reference id or its folded name."""
    return m.ref or " ".join((m.name or "").casefold().split())


def trigger_classes(lex: dict) -> dict[str, set[str]]:
    """lemma -> the predicates whose trigger lists (any list in relations.json) contain it."""
    out: dict[str, set[str]] = {}
    for pred, lists in lex.items():
        if pred.startswith("_") or pred not in SIGNATURE or not isinstance(lists, dict):
            continue
        for list_name, words in lists.items():
            if list_name.startswith("_"):
                continue  # a helper list, not triggers
            items = words.keys() if isinstance(words, dict) else words
            for w in items:
                for part in str(w).lower().split():
                    out.setdefault(part, set()).add(pred)
    return out


def hedge_words(lex: dict) -> dict[str, str]:
    out = {}
    for kind, words in lex["hedges"].items():
        for w in words:
            out[str(w).lower()] = kind
    return out


def sentence_slots(doc: Doc, sent: Span, far_refs=()) -> list[Slot]:
    """The named mentions and resolved references of one sentence; ``far_refs`` are the passage's
    references to entities named in earlier passages (:meth:`kg.extract.coref.Coreference.link_passages`)."""
    slots = [Slot(m, m.root(doc), m.start, m.end) for m in (doc._.kg_ents or []) if sent.start <= m.start < sent.end]
    for r in [*(doc._.kg_refs or []), *far_refs]:
        if sent.start <= r.start < sent.end:
            anchor = r.root(doc)
            via = r.kind + "-far" if r.home else r.kind
            group = frozenset(entity_key(t) for t in r.targets) if len(r.targets) > 1 else frozenset()
            slots.extend(Slot(t, anchor, r.start, r.end, via, r.home, group) for t in r.targets)
    return slots


def _peer(heads: dict, s: Slot, other: Slot) -> str:
    """The entity key of the first conjunct ``s`` is coordinated with, when the relation between
    that conjunct and ``other`` is stated above the coordination ("X launched Y in Japan and
    Thailand"), not inside the first conjunct ("Meta's Facebook, Instagram and WhatsApp": Meta
    owns Facebook only); "" otherwise."""
    h = heads.get(id(s))
    if h is None or other.anchor.i == h.anchor.i or any(t.i == h.anchor.i for t in other.anchor.ancestors):
        return ""
    return entity_key(h.entity)


def _conjunct_heads(slots: list[Slot]) -> dict[int, Slot]:
    """id(slot) -> the slot of the first conjunct of the coordination the slot's anchor is a later
    conjunct of, when that conjunct is a named slot of the same coarse class ("in Japan and
    Thailand": Thailand -> Japan)."""
    at = {s.anchor.i: s for s in slots if not s.via}
    out = {}
    for s in slots:
        if s.via:
            continue
        t = s.anchor
        while t.dep_ == "conj" and t.head.i != t.i:
            t = t.head
        head = at.get(t.i)
        if head is not None and head is not s and coarse(head.entity) == coarse(s.entity) \
                and entity_key(head.entity) != entity_key(s.entity):
            out[id(s)] = head
    return out


def _path(a: Token, b: Token):
    """(tokens up from a, lowest common ancestor, tokens down to b) or None across sentences."""
    up = [a, *a.ancestors]
    down = [b, *b.ancestors]
    pos = {t.i: k for k, t in enumerate(down)}
    for k, t in enumerate(up):
        if t.i in pos:
            return up[:k], t, down[:pos[t.i]][::-1]
    return None


def _lemma(t: Token) -> str:
    return t.lemma_.lower() if t.lemma_ else t.lower_


class FeatureMaker:
    """Features of a candidate; the lexicons are the ones the pipeline loaded."""

    def __init__(self, relations_lex: dict):
        self.triggers = trigger_classes(relations_lex)
        self.hedges = hedge_words(relations_lex)
        stake = relations_lex["acquiredStakeIn"]
        self.exit_verbs = set(stake["exit_verbs"])
        self.stake_nouns = set(stake["exchange_nouns"])
        self.partial_words = set(stake["_partial_words"])

    def candidates(self, doc: Doc, sent: Span, rule_hits: dict, far_refs=()) -> list[Candidate]:
        """Every type-compatible (subject, predicate, object) of the sentence, with features.
        ``rule_hits`` maps (subject key, predicate, object key) -> [(rule, modality)] for this sentence;
        ``far_refs`` are references to entities of earlier passages (see :func:`sentence_slots`)."""
        slots = sentence_slots(doc, sent, far_refs)
        ent_tokens = {i: s for s in slots if not s.via for i in range(s.start, s.end)}
        sent_feats = self._sentence_features(sent)
        heads = _conjunct_heads(slots)
        out = []
        for a in slots:
            for b in slots:
                if a is b or entity_key(a.entity) == entity_key(b.entity):
                    continue
                if a.start < b.end and b.start < a.end:  # overlapping words
                    continue
                if entity_key(a.entity) in b.group or entity_key(b.entity) in a.group:
                    continue  # "A and B ... their families": a group says nothing of one member about another
                preds = [p for p, (sc, oc) in SIGNATURE.items() if coarse(a.entity) in sc and coarse(b.entity) in oc]
                if not preds:
                    continue
                base = None
                for p in preds:
                    if p in SYMMETRIC and (a.start, entity_key(a.entity)) > (b.start, entity_key(b.entity)):
                        continue  # one candidate per unordered pair
                    if base is None:
                        base = self._pair_features(doc, sent, a, b, ent_tokens) + sent_feats
                    feats = list(base)
                    hits = rule_hits.get((entity_key(a.entity), p, entity_key(b.entity)), [])
                    if p in SYMMETRIC:
                        hits = hits + rule_hits.get((entity_key(b.entity), p, entity_key(a.entity)), [])
                    for rule, mod in hits:
                        feats.append(f"rule={rule}")
                        feats.append(f"rule_mod={mod}")
                    if hits:
                        feats.append("rule_any")
                    others = {q for (sk, q, ok) in rule_hits if q != p and {sk, ok} == {entity_key(a.entity),
                                                                                         entity_key(b.entity)}}
                    feats.extend(f"rule_other={q}" for q in sorted(others))
                    out.append(Candidate(a, p, b, sent, feats, self.modality(a, b),
                                         (_peer(heads, a, b), _peer(heads, b, a))))
        return out

    def modality(self, a: Slot, b: Slot) -> str:
        """planned / negated / reported when the words that link the two slots are hedged or negated
        ("denied that it competes with", "plans to buy a stake in", "has not fined", "may order"):
        negations, modal auxiliaries and hedge words on the dependency path, and on the governing
        words above it up to a clause boundary (a relative clause or apposition states background as
        true: "ByteDance, which owns TikTok, plans to ...")."""
        path = _path(a.anchor, b.anchor)
        if path is None:
            return "asserted"
        if self._sold_out(a.anchor, b.anchor):
            return "negated"
        up, lca, down = path
        inner = [t for t in up[1:] + [lca] + down[:-1]]
        chain = list(inner)
        if lca.i not in (a.anchor.i, b.anchor.i) and lca.pos_ in ("VERB", "AUX"):
            t = lca
            while t.head.i != t.i and t.dep_ not in ("relcl", "acl", "appos", "conj", "advcl") and len(chain) < 12:
                t = t.head
                chain.append(t)
        for t in chain:
            for c in t.children:
                if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no"):
                    return "negated"
                if c.dep_ == "aux" and c.lower_ in _MODALS:
                    return "planned"
                if c.dep_ in ("advmod", "amod") and self.hedges.get(c.lower_) in ("reported", "planned"):
                    return self.hedges[c.lower_]
            kind = self.hedges.get(_lemma(t)) or self.hedges.get(t.lower_)
            if kind and t.pos_ in ("VERB", "NOUN", "ADJ", "AUX"):
                return kind
        return "asserted"

    def _sold_out(self, t: Token, target: Token) -> bool:
        """``t`` is the seller of its whole stake in ``target`` ("SoftBank sold its remaining stake in
        Coupang"): after the text's event it holds none. A part sold ("sold part of its holding")
        leaves a stake, and a sale not yet made ("agreed to sell", "plans to sell") leaves it too."""
        if t.dep_ == "poss" and t.head.dep_ == "dobj":  # "its" in "SoftBank sold its stake"
            stakes, v = [t.head], t.head.head
        elif t.dep_ == "nsubj":
            stakes, v = [c for c in t.head.children if c.dep_ == "dobj"], t.head
        else:
            return False
        if _lemma(v) not in self.exit_verbs or v.tag_ not in ("VBD", "VBN") or v.dep_ == "xcomp":
            return False
        return any(_lemma(c) in self.stake_nouns and any(w.i == target.i for w in c.subtree)
                   and not any(_lemma(w) in self.partial_words for w in c.subtree)
                   for c in stakes)

    def _sentence_features(self, sent: Span) -> list[str]:
        kinds = sorted({self.hedges[_lemma(t)] for t in sent if _lemma(t) in self.hedges}
                       | {self.hedges[t.lower_] for t in sent if t.lower_ in self.hedges})
        return [f"sent_hedge={k}" for k in kinds]

    def _pair_features(self, doc: Doc, sent: Span, a: Slot, b: Slot, ent_tokens: dict) -> list[str]:
        f = [f"cls={a.entity.cls}|{b.entity.cls}", f"order={'sf' if a.start < b.start else 'of'}"]
        if a.via:
            f.append(f"s_via={a.via}")
        if b.via:
            f.append(f"o_via={b.via}")
        first, second = (a, b) if a.start < b.start else (b, a)
        gap = second.start - first.end
        f.append(f"gap={min(gap, 10) if gap < 10 else (15 if gap < 20 else 30)}")
        between = [t for t in doc[first.end:second.start]]
        n_ents = len({id(ent_tokens[t.i]) for t in between if t.i in ent_tokens})
        f.append(f"ents_between={min(n_ents, 3)}")
        tag = "sf" if a.start < b.start else "of"
        if gap <= MAX_BETWEEN:
            for t in between:
                if t.i in ent_tokens or t.is_punct and t.text not in (",", "(", ";", ":", "-"):
                    continue
                f.append(f"bw={_lemma(t)}")
                f.append(f"bw_{tag}={_lemma(t)}")
                for p in self.triggers.get(_lemma(t), ()):
                    f.append(f"bw_trig={p}")
            if not any(not t.is_punct for t in between):
                f.append("adjacent")
        else:
            f.append("bw_long")
        for t in doc[max(sent.start, first.start - 2):first.start]:
            f.append(f"before={_lemma(t)}")
        for t in doc[second.end:min(sent.end, second.end + 2)]:
            f.append(f"after={_lemma(t)}")
        ra, rb = a.anchor, b.anchor
        f.append(f"s_dep={ra.dep_}")
        f.append(f"o_dep={rb.dep_}")
        f.append(f"s_head={_lemma(ra.head)}")
        f.append(f"o_head={_lemma(rb.head)}")
        if rb.head.dep_ == "prep" or rb.dep_ == "pobj":
            f.append(f"o_prep={rb.head.lower_}|{_lemma(rb.head.head)}")
        if ra.dep_ == "pobj":
            f.append(f"s_prep={ra.head.lower_}|{_lemma(ra.head.head)}")
        if rb in ra.conjuncts:
            f.append("conj")
        path = _path(ra, rb)
        if path is None:
            f.append("nopath")
            return f
        up, lca, down = path
        deps = "".join(f"<{t.dep_}" for t in up) + f"^{lca.pos_}" + "".join(f">{t.dep_}" for t in down)
        f.append(f"path={deps}")
        f.append(f"plen={min(len(up) + len(down), 6)}")
        f.append(f"lca={_lemma(lca)}")
        f.append(f"lca_path={_lemma(lca)}|{deps}" if len(up) + len(down) <= 4 else "lca_path=long")
        inner = [t for t in up[1:] + [lca] + down[:-1] if t.i not in ent_tokens]
        for t in inner:
            f.append(f"pw={_lemma(t)}")
            for p in self.triggers.get(_lemma(t), ()):
                f.append(f"p_trig={p}")
            for c in t.children:
                if c.dep_ == "neg":
                    f.append("p_neg")
                if c.dep_ in ("aux", "advmod", "amod") and (_lemma(c) in self.hedges or c.lower_ in self.hedges):
                    f.append(f"p_hedge={self.hedges.get(_lemma(c), self.hedges.get(c.lower_))}")
                if c.dep_ == "prt":
                    f.append(f"p_prt={_lemma(t)}|{c.lower_}")
            if _lemma(t) in self.hedges:
                f.append(f"p_hedge={self.hedges[_lemma(t)]}")
        # governing words above the common ancestor carry modality ("plans to buy", "denied")
        g = lca
        for _ in range(3):
            if g.head.i == g.i:
                break
            g = g.head
            lem = _lemma(g)
            if lem in self.hedges:
                f.append(f"g_hedge={self.hedges[lem]}")
            if any(c.dep_ == "neg" for c in g.children):
                f.append("g_neg")
        return f
