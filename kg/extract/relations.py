"""Relations from the dependency parse and trigger lexicons (``kg/ontology/lexicons/relations.json``).

Each rule reads one sentence and proposes (subject, predicate, object) with a rule name; the
predicate's type constraints decide which pairs survive; the modality of the trigger (planned,
negated, reported) is read from its governing words; confidences per rule come from
``kg/ontology/lexicons/rules.json``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from kg.extract.dates import normalise_date
from kg.extract.entities import EntMention
from kg.extract.reference import ReferenceData, load_reference
from kg.extract.types import Evidence, Fact, Mention
from kg.ingest.article import Article
from kg.vocab import CLASS_COARSE

# predicate -> (allowed subject coarse types, allowed object coarse types)
SIGNATURE = {
    "worksFor": ({"PERSON"}, {"ORG", "GOV"}),
    "partnerOf": ({"ORG", "GOV"}, {"ORG", "GOV"}),
    "competesWith": ({"ORG"}, {"ORG"}),
    "acquiredStakeIn": ({"ORG"}, {"ORG"}),
    "subsidiaryOf": ({"ORG"}, {"ORG"}),
    "regulates": ({"GOV"}, {"ORG"}),
    "launched": ({"ORG", "GOV"}, {"PRODUCT", "ORG"}),
    "operatesIn": ({"ORG"}, {"PLACE"}),
    "issued": ({"GOV"}, {"LAW"}),
    "appliesTo": ({"LAW"}, {"ORG"}),
}
PRONOUNS = {"it", "its", "they", "their", "them", "itself", "which", "that", "who", "whose"}
ANAPHORIC_NOUNS = {"company", "group", "platform", "app", "firm", "giant", "marketplace", "business", "service",
                   "retailer", "operator", "startup", "conglomerate", "website", "site", "e-commerce", "unicorn"}
LIST_PREPS = {"like", "as", "including", "include"}


def coarse(m: EntMention) -> str:
    return CLASS_COARSE[m.cls]


@dataclass
class ArticleContext:
    """What rules may know beyond one sentence: the article, its topic entity, the last subject."""

    article: Article
    topic: tuple | None  # (passage, EntMention, doc) of the article's main organisation
    topic_gov: tuple | None
    orgs: list
    lex: dict
    roles: dict
    confidences: dict
    metrics: dict
    last_subject: dict = field(default_factory=dict)  # passage -> (EntMention, doc)
    mention_cache: dict = field(default_factory=dict)

    @classmethod
    def build(cls, article: Article, mentions: list[Mention], docs: list,
              ref: ReferenceData | None = None) -> "ArticleContext":
        """``ref`` is the reference data the pipeline's components loaded (the default ontology's if None)."""
        ref = ref if ref is not None else load_reference()
        counts: Counter = Counter()
        first: dict = {}
        gov_counts: Counter = Counter()
        for pi, doc in docs:
            for m in doc._.kg_ents:
                key = m.ref or m.name.casefold()
                if coarse(m) == "ORG":
                    counts[key] += 1
                    first.setdefault(key, (pi, m, doc))
                elif coarse(m) == "GOV":
                    gov_counts[key] += 1
                    first.setdefault(key, (pi, m, doc))
        for m in mentions:  # title mentions weigh double
            if m.passage == -1:
                key = m.ref or m.name.casefold()
                if CLASS_COARSE[m.cls] == "ORG" and key in counts:
                    counts[key] += 2
        topic = first[counts.most_common(1)[0][0]] if counts else None
        topic_gov = first[gov_counts.most_common(1)[0][0]] if gov_counts else None
        orgs = [first[k] for k in counts]
        return cls(article=article, topic=topic, topic_gov=topic_gov, orgs=orgs, lex=ref.lexicon("relations"),
                   roles=ref.lexicon("roles"), confidences=ref.lexicon("rules"),
                   metrics=ref.lexicon("metrics"))

    def mention(self, m: EntMention, pi: int, doc: Doc) -> Mention:
        key = (pi, m.start, m.end)
        if key not in self.mention_cache:
            span = m.span(doc)
            self.mention_cache[key] = Mention(name=m.name or span.text, cls=m.cls, passage=pi, start=span.start_char,
                                              end=span.end_char, ref=m.ref, origin=m.origin, aliases=tuple(m.aliases))
        return self.mention_cache[key]

    def document_inferences(self, facts: list[Fact]) -> list[Fact]:
        """A law issued by a regulator applies to the organisations that regulator acts on in
        the same article (rule 'issuer-regulates')."""
        out = []
        issued = [f for f in facts if f.predicate == "issued" and f.modality == "asserted"]
        regulated = [f for f in facts if f.predicate == "regulates" and f.modality == "asserted"]
        have = {(f.subject.name, f.object.name) for f in facts if f.predicate == "appliesTo"}
        for i in issued:
            for r in regulated:
                if _same(i.subject, r.subject) and (i.object.name, r.object.name) not in have:
                    have.add((i.object.name, r.object.name))
                    out.append(Fact(subject=i.object, predicate="appliesTo", object=r.object, evidence=r.evidence,
                                    rule="issuer-regulates", confidence=self.conf("issuer-regulates")))
        return out

    def product_names(self, docs: list, facts: list[Fact]) -> list[Fact]:
        """A product or platform named '<organisation> <more words>' ('JD Takeaway', 'TikTok Shop',
        'Suning Tuike') was launched by that organisation, when the article names both."""
        out = []
        orgs = {}
        for pi, doc in docs:
            for m in doc._.kg_ents:
                if coarse(m) == "ORG":
                    orgs.setdefault(m.name, (pi, m, doc))
        # a launch the text already states (or hedges, or denies) is not inferred again
        seen = {f.object.name for f in facts if f.predicate == "launched"}
        for pi, doc in docs:
            for m in doc._.kg_ents:
                if m.cls not in ("Product", "Platform") or m.name in seen:
                    continue
                words = m.name.split()
                for k in range(len(words) - 1, 0, -1):
                    maker = " ".join(words[:k])
                    if maker in orgs and maker != m.name:
                        seen.add(m.name)
                        opi, om, odoc = orgs[maker]
                        sent = m.span(doc).sent
                        out.append(Fact(subject=self.mention(om, opi, odoc), predicate="launched",
                                        object=self.mention(m, pi, doc), evidence=sentence_evidence(doc, sent, pi),
                                        rule="product-name-prefix", confidence=self.conf("product-name-prefix")))
                        break
        return out

    def conf(self, rule: str) -> float:
        return float(self.confidences.get(rule, self.confidences.get("_default", 0.6)))


def _same(a: Mention, b: Mention) -> bool:
    return (a.ref and a.ref == b.ref) or a.name.casefold() == b.name.casefold()


class SentenceReader:
    """Rules over one sentence of one passage Doc."""

    def __init__(self, doc: Doc, sent: Span, pi: int, ctx: ArticleContext):
        self.doc, self.sent, self.pi, self.ctx = doc, sent, pi, ctx
        self.lex = ctx.lex
        self.ents = [m for m in doc._.kg_ents if sent.start <= m.start < sent.end]
        self.tok2ent = {i: m for m in self.ents for i in range(m.start, m.end)}
        self.facts: list[Fact] = []
        self.seen: set = set()

    # -- entity access -------------------------------------------------------------------------
    def ent_at(self, tok: Token | None) -> EntMention | None:
        return None if tok is None else self.tok2ent.get(tok.i)

    def group(self, tok: Token) -> list[EntMention]:
        """Entities a token stands for: its own entity and the ones coordinated with it; for a
        pronoun or 'the company', the antecedent; for 'platforms like X and Y', X and Y."""
        m = self.ent_at(tok)
        out: list[EntMention] = []
        if m is not None:
            root = m.root(self.doc)
            for t in [root, *root.conjuncts]:
                e = self.ent_at(t)
                if e is not None and e not in out:
                    out.append(e)
            # "A, B and C" parsed as appositions / compounds of each other
            for c in root.children:
                if c.dep_ == "appos" and (e := self.ent_at(c)) is not None and e not in out and e.cls == m.cls:
                    out.append(e)
            return out
        low = tok.lower_
        if tok.pos_ in ("NOUN", "PROPN"):
            for c in tok.children:
                if c.dep_ in ("compound", "nmod", "amod") and c.i < tok.i:
                    if (e := self.ent_at(c)) is not None and e.end >= tok.i - 1:
                        return [e]
                    for cc in c.children:
                        if cc.dep_ in ("compound", "nmod") and (e := self.ent_at(cc)) is not None and e.end >= c.i - 1:
                            return [e]
                if c.dep_ == "acl" and c.lemma_.lower() in ("call", "name", "dub", "brand"):
                    for cc in c.children:
                        if cc.dep_ in ("oprd", "attr", "dobj", "xcomp") and (e := self.ent_at(cc)) is not None:
                            return [e]
            # "competitors like Douyin and Kuaishou", "platforms such as Taobao"
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in LIST_PREPS:
                    for p in c.children:
                        if p.dep_ == "pobj":
                            out.extend(self.group(p))
                if c.dep_ == "amod" and c.lower_ == "such":
                    for p in c.children:
                        if p.dep_ == "prep":
                            for pp in p.children:
                                if pp.dep_ == "pobj":
                                    out.extend(self.group(pp))
                if c.dep_ == "appos" and self.ent_at(c):
                    out.extend(self.group(c))
            if out:
                return out
        if low in PRONOUNS or (tok.lemma_.lower() in ANAPHORIC_NOUNS and any(
                c.lower_ in ("the", "its", "this") for c in tok.children)):
            a = self.antecedent(tok)
            if a is not None:
                return [a]
        return []

    def subtree_ents(self, tok: Token) -> list[EntMention]:
        """Every entity inside a token's subtree ('Alibaba and GSR Ventures' however it is parsed)."""
        out: list[EntMention] = []
        for t in tok.subtree:
            e = self.ent_at(t)
            if e is not None and e not in out:
                out.append(e)
        return out

    def _group_plain(self, tok: Token) -> list[EntMention]:
        m = self.ent_at(tok)
        if m is None:
            return []
        root = m.root(self.doc)
        return [e for t in [root, *root.conjuncts] if (e := self.ent_at(t)) is not None]

    def antecedent(self, tok: Token) -> EntMention | None:
        if tok.lower_ in ("which", "that", "who", "whose"):
            head = tok.head
            while head.dep_ not in ("relcl", "acl") and head.head.i != head.i and head.i >= self.sent.start:
                head = head.head
            if head.dep_ in ("relcl", "acl"):
                e = self.ent_at(head.head)
                if e is not None:
                    return e
        gov = tok.head
        for _ in range(4):
            if gov.pos_ in ("VERB", "AUX") or gov.head.i == gov.i:
                break
            gov = gov.head
        own_subjects = [m for c in gov.children if c.dep_ in ("nsubj", "nsubjpass") for m in self.subtree_ents(c)] \
            if gov.pos_ in ("VERB", "AUX") and tok.lower_ in ("its", "their") else []
        cands = [m for m in self.ents if m.end <= tok.i and coarse(m) in ("ORG", "GOV") and m not in own_subjects]
        subj = [m for m in cands if m.root(self.doc).dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return subj[-1]
        if tok.lower_ in ("its", "their", "it") and cands:
            return cands[-1]
        last = self.ctx.last_subject.get(self.pi)
        if last is not None:
            return last
        if self.ctx.topic is not None:
            pi, m, doc = self.ctx.topic
            return _Foreign(m, pi, doc)
        return None

    # -- syntax helpers -----------------------------------------------------------------------
    def subjects(self, verb: Token) -> list[EntMention]:
        v = verb
        for _ in range(4):
            subs = [c for c in v.children if c.dep_ in ("nsubj", "csubj")]
            if subs:
                return [e for s in subs for e in self.group(s)]
            if v.dep_ in ("xcomp", "conj", "advcl", "pcomp") and v.head.pos_ in ("VERB", "AUX", "NOUN"):
                if v.dep_ == "xcomp":
                    passive = [c for c in v.head.children if c.dep_ == "nsubjpass"]
                    if passive:
                        return [e for s_ in passive for e in self.group(s_)]
                v = v.head
                continue
            if v.dep_ in ("relcl", "acl") and v.tag_ != "VBN":
                return self.group(v.head)
            break
        return []

    def agents(self, verb: Token) -> list[EntMention]:
        """Logical subject of a passive verb ('announced by the Fever Point Association')."""
        out = []
        heads = [verb] + [c for c in verb.children if c.dep_ in ("dobj", "npadvmod", "attr")]
        for h in heads:
            for c in h.children:
                if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
                    for p in c.children:
                        if p.dep_ == "pobj":
                            out.extend(self.group(p))
        return out

    def passive_subjects(self, verb: Token) -> list[EntMention]:
        subs = [c for c in verb.children if c.dep_ == "nsubjpass"]
        if subs:
            return [e for s in subs for e in self.group(s)]
        if verb.dep_ in ("acl", "relcl") and verb.tag_ == "VBN":
            return self.group(verb.head)
        return []

    def objects(self, verb: Token, depth: int = 2) -> list[tuple[EntMention, str | None, Token]]:
        """(entity, preposition or None, the token it hangs from) for a verb's objects."""
        out: list[tuple[EntMention, str | None, Token]] = []

        def walk(tok: Token, prep: str | None, d: int):
            for c in tok.children:
                if c.dep_ in ("dobj", "attr", "oprd", "dative", "pobj", "acomp") or (
                        c.dep_ == "appos" and tok.i != verb.i and self.ent_at(c) is not None):
                    for e in self.group(c):
                        out.append((e, prep, c))
                    if d > 0 and self.ent_at(c) is None:
                        walk(c, prep, d - 1)
                elif c.dep_ == "prep" and d > 0:
                    walk(c, c.lower_ if prep is None or tok.pos_ in ("NOUN", "ADP") else prep, d - 1)
                elif c.dep_ == "prt" and d > 0:
                    continue
        walk(verb, None, depth)
        return out

    def prep_objects(self, tok: Token, preps: set[str] | None = None) -> list[tuple[EntMention, str]]:
        out = []
        for c in tok.children:
            if c.dep_ == "prep" and (preps is None or c.lower_ in preps):
                for p in c.children:
                    if p.dep_ == "pobj":
                        out.extend((e, c.lower_) for e in self.group(p))
                    elif p.dep_ == "prep":  # "such as"
                        for pp in p.children:
                            if pp.dep_ == "pobj":
                                out.extend((e, c.lower_) for e in self.group(pp))
        return out

    def owner(self, noun: Token) -> list[EntMention]:
        """Who a nominal trigger belongs to: possessor, 'by X', the subject of the verb it hangs from."""
        for c in noun.children:
            if c.dep_ == "poss":
                return self.group(c)
        for c in noun.children:
            if c.dep_ == "compound" and (e := self.ent_at(c)) is not None:
                return [e]
        by = [e for e, _ in self.prep_objects(noun, {"by"})]
        for c in noun.children:  # "the introduction of the Tuike model by WeChat"
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    if p.dep_ == "pobj":
                        by += [e for e, _ in self.prep_objects(p, {"by"})]
        if by:
            return by
        h = noun
        for _ in range(4):
            if h.dep_ in ("dobj", "attr", "pobj", "prep", "nsubj", "npadvmod", "appos", "conj", "oprd") and h.head.i != h.i:
                h = h.head
                if h.pos_ in ("VERB", "AUX"):
                    subs = self.subjects(h)
                    if subs:
                        return subs
            else:
                break
        return []

    def sentence_subject(self) -> list[EntMention]:
        root = self.sent.root
        return self.subjects(root) if root.pos_ in ("VERB", "AUX") else []

    def particle(self, verb: Token) -> str:
        return " ".join(c.lower_ for c in verb.children if c.dep_ == "prt")

    # -- modality ------------------------------------------------------------------------------
    def modality(self, trigger: Token) -> str:
        hedges = self.lex["hedges"]
        planned, negated, reported = set(hedges["planned"]), set(hedges["negated"]), set(hedges["reported"])
        chain = [trigger]
        t = trigger
        while t.head.i != t.i and t.head.i >= self.sent.start and len(chain) < 8:
            if t.dep_ in ("relcl", "acl", "appos", "conj"):
                break
            t = t.head
            chain.append(t)
        for t in chain:
            for c in t.children:
                if c.dep_ == "neg" or (c.dep_ == "det" and c.lower_ == "no"):
                    return "negated"
                if c.dep_ == "aux" and c.lower_ in ("would", "could", "may", "might"):
                    return "planned"
                if c.dep_ == "amod" and c.lower_ in planned:
                    return "planned"
                if c.dep_ == "advmod" and c.lower_ in reported:
                    return "reported"
            lem = t.lemma_.lower()
            if t.i != trigger.i or t.pos_ == "VERB":
                if lem in negated and t.pos_ in ("VERB",):
                    return "negated"
                if lem in reported:
                    return "reported"
                if lem in planned and t.i != trigger.i:
                    return "planned"
        for t in self.sent:
            if t.lower_ in ("talks", "negotiations") and t.i < trigger.i and any(
                    a.i == t.i for a in trigger.ancestors):
                return "planned"
        return "asserted"

    # -- emit ------------------------------------------------------------------------------
    def emit(self, s: EntMention, pred: str, o: EntMention, rule: str, trigger: Token | None,
             qualifiers: dict | None = None, modality: str | None = None) -> None:
        if s is None or o is None or s is o:
            return
        subj_ok, obj_ok = SIGNATURE[pred]
        if coarse(s) not in subj_ok or coarse(o) not in obj_ok:
            return
        sm = s.to_mention(self.ctx) if isinstance(s, _Foreign) else self.ctx.mention(s, self.pi, self.doc)
        om = o.to_mention(self.ctx) if isinstance(o, _Foreign) else self.ctx.mention(o, self.pi, self.doc)
        if _same(sm, om):
            return
        key = (sm.name, pred, om.name)
        if key in self.seen:
            return
        self.seen.add(key)
        mod = modality or (self.modality(trigger) if trigger is not None else "asserted")
        ev = sentence_evidence(self.doc, self.sent, self.pi)
        self.facts.append(Fact(subject=sm, predicate=pred, object=om, evidence=ev, rule=rule,
                               confidence=self.ctx.conf(rule), modality=mod, qualifiers=qualifiers or {}))


class _Foreign:
    """An entity from another sentence (the article's topic, the previous subject)."""

    def __init__(self, m: EntMention, pi: int, doc: Doc):
        self.m, self.pi, self.doc = m, pi, doc
        self.cls = m.cls
        self.start, self.end = -1, -1

    def root(self, doc):
        return None

    def to_mention(self, ctx: ArticleContext) -> Mention:
        return ctx.mention(self.m, self.pi, self.doc)


def extract_relations(doc: Doc, pi: int, ctx: ArticleContext) -> list[Fact]:
    from kg.extract import rules

    facts: list[Fact] = []
    for sent in doc.sents:
        r = SentenceReader(doc, sent, pi, ctx)
        if not r.ents:
            continue
        for rule in rules.RULES:
            rule(r)
        facts.extend(r.facts)
        subj = [m for m in r.sentence_subject() if not isinstance(m, _Foreign) and coarse(m) in ("ORG", "GOV")]
        if subj:
            ctx.last_subject[pi] = _Foreign(subj[0], pi, doc)
    return facts


def sentence_evidence(doc: Doc, sent: Span, pi: int) -> Evidence:
    """The sentence as it stands in the passage (without a stop the pipeline may have added)."""
    limit = doc.user_data.get("kg_text_len")
    end = sent.end_char if limit is None else min(sent.end_char, limit)
    # the sentence's own tokens: ``doc.text`` is rebuilt from every token of the passage on each use
    raw = sent.text_with_ws[:max(0, end - sent.start_char)]
    return Evidence(passage=pi, start=sent.start_char, end=sent.start_char + len(raw.rstrip()), text=raw.strip())


def sentence_date(r: SentenceReader) -> str:
    for e in r.doc.ents:
        if e.label_ == "DATE" and r.sent.start <= e.start < r.sent.end:
            d = normalise_date(e.text, r.ctx.article.date)
            if d:
                return d
    return ""
