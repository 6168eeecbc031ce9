"""Entity mentions: the reference ruler, type cues, and cleaning of what the statistical NER finds.

Types follow evidence in this order: curated reference data, in-text cues (suffixes such as
"Bureau"/"Association"/"Group", prefixes such as "Ministry of", descriptors in apposition or
compound such as "e-commerce platform Tokopedia"), then the statistical model.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.reference import ReferenceData, load_reference
from kg.vocab import CLASS_COARSE

MODEL_LABELS = {
    "ORG": "Organization", "PERSON": "Person", "GPE": "Place", "LOC": "Region", "PRODUCT": "Product",
    "LAW": "Law", "EVENT": "Product",
}
_STRIP_LEAD = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those"}
# words a name never ends with ("Ministry of Commerce and" is a cue pattern's overreach)
_STRIP_TRAIL = {"and", "&", "of", "for", "on", "to", "the", "or"}
_LAW_LINKS = {"in", "on", "of", "for"}  # "Fair Transactions in Large Retail Business Act"
_CAMEL = re.compile(r"[a-z][A-Z]")  # "LinkedIn", "iFood", "WhatsApp": a brand, never a common word
_QUOTES = set("\"'“”‘’「」《》`")
_QUOTED = re.compile(r"[\"“「《]([^\"”」》\n]{2,60})[\"”」》]")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9&.\-]{1,11}$")


@dataclass
class EntMention:
    """A typed mention in a Doc (token span), before it becomes a kg.extract.types.Mention."""

    start: int
    end: int
    cls: str
    ref: str | None = None
    origin: str = "model"
    aliases: list[str] = field(default_factory=list)
    name: str = ""
    features: tuple[str, ...] = ()  # the entity typer's, kept for training only

    def span(self, doc: Doc) -> Span:
        return doc[self.start:self.end]

    def root(self, doc: Doc):
        return doc[self.start:self.end].root


if not Doc.has_extension("kg_ents"):
    Doc.set_extension("kg_ents", default=None)


def _token_pattern(nlp, text: str, case_sensitive: bool):
    attr = "ORTH" if case_sensitive else "LOWER"
    toks = [t.text for t in nlp.make_doc(text)]
    return [{attr: t if case_sensitive else t.lower()} for t in toks]


def reference_patterns(nlp, ref: ReferenceData) -> list[dict]:
    """Case-sensitive names as token patterns (ORTH); the others as phrase patterns, which the
    ruler's PhraseMatcher compares on LOWER: the same matches as ``[{"LOWER": ...}, ...]`` token
    patterns, without the token Matcher's cost on long passages (issue 11)."""
    pats = []
    for e in ref.entities.values():
        for name in (e.name, *e.aliases_en):
            pattern = _token_pattern(nlp, name, True) if e.case_sensitive else name
            pats.append({"label": e.cls, "id": e.id, "pattern": pattern})
    return pats


def cue_patterns(ref: ReferenceData) -> list[dict]:
    """Structural patterns for names the small model tends to cut: numbered regulations,
    "X Law"/"X Act", "Ministry of X", "<Name> Association" and other suffixed names."""
    cues = ref.lexicon("entity_cues")
    title = {"IS_TITLE": True}
    titleish = {"TEXT": {"REGEX": r"^([A-Z][\w.&'\-]*|of|and|for|on|the|de|&)$"}}
    pats = []
    law_heads = [k for k, v in cues["suffix"].items() if v == "Law"]
    # "Trade Ministry Regulation No. 31 of 2023", "Decree No. 13/2023/ND-CP", "Official Dispatch 8598/BCT-TMDT"
    for head in ("Regulation", "Decree", "Dispatch", "Circular", "Decision", "Directive", "Resolution", "Notice", "Law", "Order"):
        num = {"TEXT": {"REGEX": r"^\d[\w/\-.]*$"}}
        tail = [{"TEXT": {"REGEX": r"^[-/]$"}, "OP": "?"}, {"TEXT": {"REGEX": r"^[A-Z0-9]{2,}$"}, "OP": "?"}] * 2
        pats.append({"label": "Law", "id": "cue", "pattern": [title, {"OP": "*", **titleish}, {"TEXT": head},
                     {"LOWER": {"IN": ["no", "no."]}, "OP": "?"}, {"TEXT": ".", "OP": "?"}, num, *tail,
                     {"LOWER": "of", "OP": "?"}, {"SHAPE": "dddd", "OP": "?"}]})
        pats.append({"label": "Law", "id": "cue", "pattern": [{"TEXT": head},
                     {"LOWER": {"IN": ["no", "no."]}}, {"TEXT": ".", "OP": "?"}, num, *tail,
                     {"LOWER": "of", "OP": "?"}, {"SHAPE": "dddd", "OP": "?"}]})
    # "Decree 147/2024/ND-CP", "Decision 2345/QD-NHNN", "Decree 98": a numbered instrument without "No."
    for head in ("Regulation", "Decree", "Dispatch", "Circular", "Decision", "Directive", "Resolution"):
        num = {"TEXT": {"REGEX": r"^\d[\w/\-.]*$"}}
        tail = [{"TEXT": {"REGEX": r"^[-/]$"}, "OP": "?"}, {"TEXT": {"REGEX": r"^[A-Z0-9]{2,}$"}, "OP": "?"}] * 2
        pats.append({"label": "Law", "id": "cue", "pattern": [{"TEXT": head}, num, *tail]})
    # "Online Safety Amendment (Social Media Minimum Age) Act 2024", "Consumer Protection (E-Commerce)
    # Rules, 2020", "Communications and Multimedia Act 1998": a parenthesised part, or an "and" when a
    # year closes the name
    inner = {"TEXT": {"REGEX": r"^([A-Z][\w\-]*|and|of|for|on|the|&|-)$"}, "OP": "+"}
    year = [{"TEXT": ",", "OP": "?"}, {"SHAPE": "dddd"}]
    for head in law_heads:
        pats.append({"label": "Law", "id": "cue", "pattern": [title, {"IS_TITLE": True, "OP": "*"}, {"TEXT": "("},
                     inner, {"TEXT": ")"}, {"IS_TITLE": True, "OP": "*"}, {"TEXT": head}]})
        pats.append({"label": "Law", "id": "cue", "pattern": [title, {"IS_TITLE": True, "OP": "*"}, {"TEXT": "("},
                     inner, {"TEXT": ")"}, {"IS_TITLE": True, "OP": "*"}, {"TEXT": head}, *year]})
        pats.append({"label": "Law", "id": "cue", "pattern": [title, {"TEXT": {"REGEX": r"^([A-Z][\w\-]*|and|&)$"}, "OP": "*"},
                     {"TEXT": head}, *year]})
    # "Digital Services Act", "E-commerce Law", "Anti-Monopoly Law"
    for head in law_heads:
        pats.append({"label": "Law", "id": "cue", "pattern": [title, {"OP": "*", "IS_TITLE": True},
                     {"TEXT": {"REGEX": r"^-$"}, "OP": "?"}, {"IS_TITLE": True, "OP": "?"}, {"TEXT": head}]})
        pats.append({"label": "Law", "id": "cue", "pattern": [{"IS_TITLE": True, "OP": "*"}, {"TEXT": {"REGEX": r"^[A-Z][\w]*$"}},
                     {"TEXT": "-"}, {"IS_ALPHA": True}, {"TEXT": head}]})
    # "Measures for the Administration of Online Live-Streaming Marketing", "Code of Practice for Online
    # Safety", "Law No. 5 of 1999 on the Prohibition of ...": a title word, then of/for/on/to phrases
    name_word = {"TEXT": {"REGEX": r"^([A-Z][\w.&'\-]*|-|and|&)$"}}
    lead_word = {"TEXT": {"REGEX": r"^(?!(Under|In|On|At|After|Before|By|With|From|For|The|A|An|As|Since|Following|"
                                   r"Despite|Through|Per|Its|Their|This|That|New|Draft|Both)$)[A-Z][\w\-]*$"}, "OP": "*"}
    connect = [{"LOWER": {"IN": ["of", "for", "on", "to"]}}, {"LOWER": "the", "OP": "?"},
               {"TEXT": {"REGEX": r"^(?!(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
                                  r"March|April|May|June|July|August|September|October|November|December)$)[A-Z]"}},
               {"OP": "*", **name_word}]
    for head in cues.get("law_leading_heads", ()):
        lead = [lead_word, {"TEXT": head}]
        for n in (1, 2, 3):
            pats.append({"label": "Law", "id": "cue", "pattern": lead + connect * n})
        # "Online Safety Act 2025", "Competition Act, 2002"
        pats.append({"label": "Law", "id": "cue", "pattern": [title, {"IS_TITLE": True, "OP": "*"}, {"TEXT": head},
                     {"TEXT": ",", "OP": "?"}, {"SHAPE": "dddd"}]})
    # "Ministry of Industry and Trade", "General Department of Customs"
    for prefix, cls in cues["prefix"].items():
        words = prefix.split()
        if cls != "GovernmentBody":
            continue
        pat = [{"TEXT": w} for w in words]
        pat += [{"IS_TITLE": True}, {"TEXT": {"REGEX": r"^([A-Z][\w\-]*|and|&)$"}, "OP": "*"}]
        pats.append({"label": cls, "id": "cue", "pattern": [{"IS_TITLE": True, "OP": "*"}, *pat]})
    # "Supreme Court of India", "Anti-Monopoly Commission of the State Council", "US District Court for
    # the Northern District of California": a body's head word with of/for phrases naming its seat or remit
    cap = {"TEXT": {"REGEX": r"^[A-Z][\w\-]*$"}}
    lead = {"TEXT": {"REGEX": r"^([A-Z][\w\-]*|-)$"}, "OP": "*"}  # "Anti - Monopoly Commission"
    one = [{"LOWER": {"IN": ["of", "for"]}}, {"LOWER": "the", "OP": "?"}, cap]
    more = one + [{"TEXT": {"REGEX": r"^([A-Z][\w\-]*|and|&)$"}, "OP": "*"}, cap]
    for head in cues.get("institution_heads", ()):
        cls = cues["suffix"].get(head, "Organization")
        for tail in (one, more, one + one, one + more, more + one, more + more):
            pats.append({"label": cls, "id": "cue", "pattern": [lead, {"TEXT": head}, *tail]})
    # "<Capitalised words> Bureau / Association / Commission / ..."
    for suffix, cls in cues["suffix"].items():
        if cls in ("GovernmentBody", "Association") and suffix[0].isupper():
            inner = {"TEXT": {"REGEX": r"^([A-Z][\w]*|and|of|&|-)$"}, "OP": "*"}
            pats.append({"label": cls, "id": "cue", "pattern": [title, inner, {"TEXT": suffix}]})
            # "E-commerce and Digital Economy Agency"
            pats.append({"label": cls, "id": "cue", "pattern": [{"IS_TITLE": True, "OP": "*"}, title, {"TEXT": "-"},
                                                                {"IS_LOWER": True}, inner, {"TEXT": suffix}]})
        elif cls == "Company" and suffix[0].isupper() and suffix not in ("Global", "Technology", "Technologies", "Entertainment", "Partners", "Capital", "Bank", "Fund", "Securities"):
            pats.append({"label": cls, "id": "cue", "pattern": [{"IS_TITLE": True, "OP": "+"}, {"TEXT": suffix}]})
    return pats


@Language.factory("kg_entity_ruler", default_config={"ontology_dir": None})
def make_entity_ruler(nlp: Language, name: str, ontology_dir: str | None):
    """An EntityRuler fed from the reference data and structural cue patterns (longest match wins)."""
    from kg.extract.gated_ruler import GatedEntityRuler

    ref = load_reference(ontology_dir)
    ruler = GatedEntityRuler(nlp, name=name, overwrite_ents=True, phrase_matcher_attr="LOWER")
    with nlp.select_pipes(enable=[]):  # phrase patterns need the tokenizer only (the ruler would run the others)
        ruler.add_patterns(reference_patterns(nlp, ref) + cue_patterns(ref))
    return ruler


def _name_word(t) -> bool:
    """A capitalised word of a proper name (a sentence's first word only when tagged a proper noun)."""
    return t.is_alpha and (t.is_title or t.is_upper) and (not t.is_sent_start or t.pos_ == "PROPN")


@Language.factory("kg_cue_filter", default_config={"ontology_dir": None})
def make_cue_filter(nlp: Language, name: str, ontology_dir: str | None):
    """Before the statistical NER: drop a suffix-cue name that is only the tail of a longer
    coordinated name ('... Media and [Entertainment Group]'), and a gazetteer place that is part of a
    longer proper name ('Jordan Peterson', 'Safaricom Kenya', 'Georgia Tech'), so the model can read
    them whole."""
    gazetteer = {e.id for e in load_reference(ontology_dir).entities.values() if e.gazetteer}

    def cue_filter(doc: Doc) -> Doc:
        keep = []
        for e in doc.ents:
            if e.ent_id_ == "cue" and e.start >= 2 and doc[e.start - 1].lower_ in ("and", "&") \
                    and doc[e.start - 2].is_title and doc[e.start - 2].ent_type_ == "":
                continue
            if e.ent_id_ in gazetteer and ((e.start > 0 and _name_word(doc[e.start - 1]) and not e[0].is_sent_start)
                                           or (e.end < len(doc) and _name_word(doc[e.end]) and not doc[e.end].is_sent_start)):
                continue
            keep.append(e)
        doc.ents = keep
        return doc

    return cue_filter


@Language.factory("kg_entities", default_config={"ontology_dir": None})
def make_entities(nlp: Language, name: str, ontology_dir: str | None):
    return EntityTyper(load_reference(ontology_dir), english_words(nlp))


def english_words(nlp: Language) -> frozenset[str]:
    """The lower-case words the model's lemmatizer knows (its WordNet-derived word lists and
    exceptions): a capitalised first word of a sentence that is not one of them ("Blinkit",
    "Talabat") is a name, one that is ("Challenges") is not. Empty when the pipeline has no
    rule-based lemmatizer."""
    if "lemmatizer" not in nlp.pipe_names or not hasattr(nlp.get_pipe("lemmatizer"), "lookups"):
        return frozenset()
    lookups = nlp.get_pipe("lemmatizer").lookups
    words: set[str] = set()
    if lookups.has_table("lemma_index"):  # part of speech -> [word]
        for ws in lookups.get_table("lemma_index").values():
            words.update(w for w in ws if "_" not in w)
    if lookups.has_table("lemma_exc"):  # part of speech -> {inflected form: [lemma]}
        for forms in lookups.get_table("lemma_exc").values():
            words.update(w for w in forms if "_" not in w)
    return frozenset(words)


class EntityTyper:
    """Turns ``doc.ents`` into clean, typed :class:`EntMention` objects in ``doc._.kg_ents``."""

    def __init__(self, ref: ReferenceData, english: frozenset[str] = frozenset()):
        cues = ref.lexicon("entity_cues")
        self.ref = ref
        self.english = english
        self.suffix = cues["suffix"]
        self.prefix = cues["prefix"]
        self.descriptor = cues["descriptor"]
        self.not_entities = set(cues["not_entities"])
        self.gov_nouns = set(cues["government_nouns"])
        roles = ref.lexicon("roles")
        self.role_words = {t for t in roles["titles"]}
        self.gov_titles = set(roles["government_titles"])
        self.org_context_nouns = set(cues["org_context_nouns"])
        # words of an amount ("15.1 billion won", "3 bn USD"): the figures' own lexicon
        money = ref.lexicon("metrics")
        self.money_words = ({w for w in money["currency_words"] if " " not in w}
                            | {w for w in money["scales"] if len(w) > 3}
                            | {c.lower() for c in money["currency_symbols"] if c.isalpha()})
        self.org_verbs = set(cues["org_verbs"])
        self.appointing_verbs = set(cues["appointing_verbs"])
        self.deal_nouns = set(cues["deal_nouns"])
        self.title_heads = {t.split()[-1] for t in roles["titles"]}
        launch = ref.lexicon("relations")["launched"]["verbs"]
        self.launch_verbs = set(launch)
        self.alias_ref = {}
        for e in ref.entities.values():
            for n in (e.name, *e.aliases_en):
                self.alias_ref.setdefault(n if e.case_sensitive else n.casefold(), e)

    def __call__(self, doc: Doc) -> Doc:
        out: list[EntMention] = []
        for ent in doc.ents:
            m = self.type_ent(doc, ent)
            if m is not None:
                out.append(m)
        out = self._merge_people(doc, out)
        out = self._sub_brands(doc, out)
        out = self._described(doc, out)
        out = self._called(doc, out)
        out = self._listed(doc, out)
        out = self._quoted(doc, out)
        out = self._acronyms(doc, out)
        out = self._joined(doc, out)
        doc._.kg_ents = sorted(out, key=lambda m: m.start)
        return doc

    def _joined(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """Law and body names the tokenizer or the model cut in two: a hyphenated word ("Law on
        E-commerce", "Regulations on Non-bank Payment Institutions": spaCy splits at the hyphen and the
        lower-case half stops the cue) and a title-case name joined to a law's name by a preposition
        ("Fair Transactions in" + "Large Retail Business Act")."""
        ments = sorted(ments, key=lambda m: m.start)
        out: list[EntMention] = []
        absorbed: set[int] = set()
        for m in ments:
            if id(m) in absorbed:
                continue
            prev = out[-1] if out else None
            if prev is not None and m.cls == "Law" and m.ref is None and prev.ref is None and prev.cls != "Person":
                words = doc[prev.start:m.start]
                gap = doc[prev.end:m.start]
                link = (len(gap) == 0 and words[-1].lower_ in _LAW_LINKS) or \
                       (len(gap) == 1 and gap[0].lower_ in _LAW_LINKS)
                if link and all(t.is_title or t.lower_ in _LAW_LINKS for t in words):
                    out[-1] = EntMention(prev.start, m.end, "Law", origin="cue", name=doc[prev.start:m.end].text)
                    continue
            if m.cls in ("Law", "GovernmentBody") and m.ref is None:
                end = m.end
                while end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ \
                        and not doc[end].whitespace_ and doc[end + 1].is_alpha and not doc[end + 1].lower_.endswith("ed"):
                    end += 2
                    while end < len(doc) and doc[end].is_title and doc[end].is_alpha and not doc[end].is_sent_start:
                        end += 1
                inside = [x for x in ments if x is not m and m.end <= x.start < end]
                if end != m.end and all(x.end <= end and x.ref is None for x in inside):
                    m = EntMention(m.start, end, m.cls, origin=m.origin, name=doc[m.start:end].text)
                    absorbed.update(id(x) for x in inside)
            out.append(m)
        return out

    def _sub_brands(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        taken = {i for m in ments for i in range(m.start, m.end)}
        out = []
        dropped: set[int] = set()
        for m in ments:
            end = m.end
            if m.origin == "reference" and CLASS_COARSE.get(m.cls) in ("ORG", "PRODUCT"):
                while end < len(doc) and end not in taken and doc[end].text[:1].isupper() and doc[end].is_alpha \
                        and doc[end].pos_ in ("PROPN", "ADJ", "ADV") and doc[end].ent_type_ not in ("DATE", "GPE", "LOC", "NORP") \
                        and not doc[end].is_sent_start and doc[end].lower_ not in self.role_words \
                        and doc[end].text not in self.not_entities:
                    end += 1
                # a country unit named after its market: "Lazada Vietnam", "Foodpanda Taiwan"
                place = next((p for p in ments if p.start == m.end and CLASS_COARSE.get(p.cls) == "PLACE"), None)
                if end == m.end and place is not None and CLASS_COARSE.get(m.cls) == "ORG" \
                        and doc[place.start].dep_ not in ("appos", "pobj") \
                        and not (place.end < len(doc) and doc[place.end].pos_ == "PROPN"):
                    end = place.end
                    dropped.add(id(place))
            if end > m.end:
                cls = self._surface_appos(doc, end) or self._descriptor(doc, m.start, end) or m.cls
                out.append(EntMention(m.start, end, cls, origin="cue", name=doc[m.start:end].text))
            else:
                out.append(m)
        return [m for m in out if id(m) not in dropped]

    def _merge_people(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """The model sometimes cuts a three-part name in two ('Melissa Siska' + 'Juminto')."""
        ments = sorted(ments, key=lambda m: m.start)
        out: list[EntMention] = []
        for m in ments:
            if out and out[-1].cls == "Person" and m.cls == "Person" and out[-1].end == m.start and not out[-1].ref and not m.ref:
                prev = out.pop()
                out.append(EntMention(prev.start, m.end, "Person", origin=prev.origin, name=doc[prev.start:m.end].text))
            else:
                out.append(m)
        return out

    def _described(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """Proper nouns the model missed but a describing noun names: 'its Lingxi platform',
        'the Kolors model', 'a service called X' is left to the model."""
        taken = {i for m in ments for i in range(m.start, m.end)}
        for tok in doc:
            if tok.pos_ != "NOUN" or tok.i in taken:
                continue
            cls = self.descriptor.get(tok.lower_) or self.descriptor.get(tok.lemma_.lower())
            if cls is None or cls in ("Person", "City", "Country", "Region"):
                continue
            names = [c for c in tok.children if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"
                     and c.i < tok.i and c.i not in taken and not c.is_sent_start]
            if not names:
                continue
            start = min(t.i for t in names)
            end = tok.i
            if any(not (doc[i].pos_ == "PROPN" and doc[i].is_title) for i in range(start, end)):
                continue
            if any(doc[i].lower_ in self.money_words for i in range(start, end)):
                continue
            # "its JD Takeaway service": a reference name right before belongs to the sub-brand
            left = [m for m in ments if m.end == start and m.origin == "reference"]
            if left and cls in ("Platform", "Product", "Company"):
                start = left[0].start
                ments = [m for m in ments if m is not left[0]]
            text = doc[start:end].text
            if text in self.not_entities or text.lower() in self.role_words:
                continue
            owned = any(c.dep_ == "poss" for c in tok.children)
            final = "Product" if owned and cls in ("Platform", "Company") else cls
            ments.append(EntMention(start, end, final, origin="cue", name=text))
            taken.update(range(start, end))
        return ments

    def _listed(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """Names the model skipped but the text frames: 'Kolors, an image model ...' (a proper noun
        before a descriptive apposition), 'wholesale site 1688' (a number named by a descriptor),
        'Temu, Shein and 1688' (a conjunct of named organisations)."""
        taken = {i for m in ments for i in range(m.start, m.end)}
        for tok in doc:
            if tok.i in taken or not (tok.pos_ == "PROPN" or (tok.text[:1].isupper() and tok.pos_ in ("NOUN", "X") and not tok.is_sent_start and any(ch in tok.text for ch in ".-0123456789")) or (tok.is_upper and tok.is_alpha and len(tok.text) >= 2)
                                       or (tok.like_num and len(tok.text) >= 3 and tok.text.isdigit())):
                continue
            if tok.lower_ in self.role_words:
                continue
            dated = tok.ent_type_ in ("DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL")
            cls = None
            if tok.pos_ in ("PROPN", "NOUN", "X") and not dated and tok.text[:1].isupper() and (tok.i + 1 >= len(doc) or doc[tok.i + 1].pos_ != "PROPN"):
                cls = self._surface_appos(doc, tok.i + 1)
            if cls is None and tok.is_sent_start:
                continue  # a capitalised first word needs an apposition to count as a name
            if cls is None and tok.i > 0 and doc[tok.i - 1].pos_ == "NOUN" and (tok.text[:1].isupper() or tok.text.isdigit()):
                d = self.descriptor.get(doc[tok.i - 1].lower_)
                if d in ("Platform", "Company", "GovernmentBody", "Association", "MediaOutlet", "Product") and (
                        tok.i + 1 >= len(doc) or doc[tok.i + 1].text not in ("%", "percent")):
                    cls = d
            if cls is None and tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.head.pos_ in ("VERB", "ADJ") \
                    and tok.dep_ in ("dobj", "ROOT", "conj") and tok.head.lemma_.lower() in self.launch_verbs:
                cls = "Product"  # "Shopee launched ShopeeFood"
            if cls is None and tok.dep_ == "conj":
                head = next((m for m in ments if m.start <= tok.head.i < m.end), None)
                if head is not None and CLASS_COARSE.get(head.cls) == "ORG" and (tok.like_num or tok.is_title):
                    cls = head.cls
            if cls is None or cls in ("Person", "City", "Country", "Region", "Law"):
                continue
            if tok.text in self.not_entities:
                continue
            start = tok.i
            while start - 1 >= 0 and start - 1 not in taken and doc[start - 1].pos_ == "PROPN" and doc[start - 1].is_title \
                    and not doc[start - 1].is_sent_start:
                start -= 1
            end = tok.i + 1
            while end < len(doc) and end not in taken and doc[end].text[:1].isupper() and doc[end].is_alpha \
                    and doc[end].pos_ in ("PROPN", "ADV", "ADJ", "NOUN") and not doc[end].is_sent_start:
                end += 1
            ments.append(EntMention(start, end, cls, origin="cue", name=doc[start:end].text))
            taken.update(range(start, end))
        return ments

    def _called(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """'a service called Douyin Takeaway': the Title-Case run after called/named/dubbed."""
        for tok in doc:
            if tok.lower_ not in ("called", "named", "dubbed", "branded") or tok.i < 1 or tok.i + 1 >= len(doc):
                continue
            j = tok.i + 1
            while j < len(doc) and (doc[j].is_title or doc[j].is_upper) and doc[j].is_alpha and j - tok.i <= 5:
                j += 1
            if j - tok.i < 2:
                continue
            start, end = tok.i + 1, j
            if any(x.origin == "reference" and x.start == start and x.end == end for x in ments):
                continue
            if end - start == 1 and any(x.start == start for x in ments):
                continue
            cls = self._descriptor(doc, start, end)
            if cls is None:
                continue
            ments = [x for x in ments if not (x.start < end and start < x.end)]
            ments.append(EntMention(start, end, cls, origin="cue", name=doc[start:end].text))
        return ments

    def _quoted(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """A quoted Title-Case name ('the "Grass Direct" feature', 'launched "Suning Tuike"') is a
        named product, programme or event unless reference data or a descriptor says otherwise."""
        for m in _QUOTED.finditer(doc.text):
            span = doc.char_span(m.start(1), m.end(1), alignment_mode="contract")
            if span is None or len(span) == 0 or len(span) > 7:
                continue
            while len(span) and (span[-1].is_punct or span[-1].is_space):
                span = span[:-1]
            if len(span) == 0 or any(not (t.is_alpha or t.like_num or t.text in ("&", "-", "'", ".")) for t in span):
                continue
            words = [t for t in span if t.is_alpha]
            if not words or not all(t.is_title or t.is_upper or t.lower_ in ("of", "and", "the", "for", "&") for t in words):
                continue
            if not span[0].is_title and not span[0].is_upper:
                continue
            if any(x.origin == "reference" and x.start <= span.start and span.end <= x.end for x in ments):
                continue
            if span.text in self.not_entities:
                continue
            ments = [x for x in ments if not (x.start < span.end and span.start < x.end)]
            cls, origin = self._cue_class(doc, span.start, span.end, "Product")
            ments.append(EntMention(span.start, span.end, cls, origin="cue" if origin == "cue" else "quoted",
                                    name=span.text))
        return ments

    # -- one entity ----------------------------------------------------------------------------
    def type_ent(self, doc: Doc, ent: Span) -> EntMention | None:
        # a span the statistical model predicted over tokens a dropped cue span had tagged keeps that
        # span's id ("Pacific Gas and Electric Company"); only our own labels are classes
        eid = ent.ent_id_ if ent.label_ in CLASS_COARSE else ""
        if eid and eid != "cue" and eid in self.ref.entities:
            return EntMention(ent.start, ent.end, ent.label_, ref=eid, origin="reference", name=ent.text)
        if eid == "found":  # a name another sentence of the corpus gave evidence for
            start = self._strip_descriptors(doc, ent.start, ent.end)
            if self._junk(doc, start, ent.end, ent.label_) or self._title_part(doc, ent.end):
                return None
            return EntMention(start, ent.end, ent.label_, origin="found", name=doc[start:ent.end].text)
        if eid == "cue":
            start, end = self._trim(doc, ent.start, ent.end)
            if start >= end:
                return None
            text = doc[start:end].text
            known = self.alias_ref.get(text) or self.alias_ref.get(text.casefold())
            if known is not None:
                return EntMention(start, end, known.cls, ref=known.id, origin="reference", name=text)
            return EntMention(start, end, ent.label_, origin="cue", name=text)
        label = ent.label_
        start, end = self._trim(doc, ent.start, ent.end)
        if start >= end:
            return None
        if label == "NORP":
            # "the Indonesian government" -> a government body named by its country
            nxt = doc[end] if end < len(doc) else None
            if nxt is not None and nxt.lower_ in self.gov_nouns:
                return EntMention(start, end + 1, "GovernmentBody", origin="cue", name=doc[start:end + 1].text)
            return None
        cls = MODEL_LABELS.get(label)
        if cls is None:
            return None
        if cls == "Person":  # "COO Conan" -> "Conan": the title is a role, read by the role rules
            while start < end - 1 and (doc[start].lower_ in self.role_words or doc[start].lower_ in ("and", ",")):
                start += 1
        else:
            start = self._strip_descriptors(doc, start, end)
        # extend over a suffix word the model left out ("Fever Point" + "Association")
        while end < len(doc) and doc[end].text in self.suffix and doc[end].is_title and cls != "Person":
            end += 1
        text = doc[start:end].text
        if self._junk(doc, start, end, cls):
            return None
        if cls == "Organization" and self._title_part(doc, end):
            return None  # "Industry and Trade Minister X": part of a title, not an organisation
        cue_cls, origin = self._cue_class(doc, start, end, cls)
        if origin == "model" and cls in ("Person", "Place", "Region") and self._org_context(doc, start, end):
            cue_cls, origin = "Organization", "cue"
        return EntMention(start, end, cue_cls, origin=origin, name=text)

    def _org_context(self, doc: Doc, start: int, end: int) -> bool:
        """Syntax that only organisations fill: 'a stake in X', 'head of marketing at X',
        'X and Walmart signed', 'X operates in Malaysia'."""
        root = doc[start:end].root
        if root.dep_ == "pobj":
            prep = root.head
            anchor = prep.head
            if prep.lower_ in ("in", "of", "at", "for", "with", "into", "from") and (
                    anchor.lower_ in self.org_context_nouns or anchor.lemma_.lower() in self.org_context_nouns):
                return True
        if root.dep_ == "poss" and (root.head.lemma_.lower() in self.deal_nouns or root.head.lower_ in self.deal_nouns):
            return True  # "Magalu's acquisition of Netshoes" (a place owns no acquisition; it may own an "app")
        if root.dep_ == "nsubj" and root.head.lemma_.lower() in self.appointing_verbs and any(
                c.dep_ == "prep" and c.lower_ == "as" for c in root.head.children):
            return True  # "Zalora named Gunjan Soni as its chief executive"
        if root.dep_ == "conj" or any(c.dep_ == "conj" for c in root.children):
            for t in [root.head, *root.children]:
                if t.dep_ in ("conj",) or t.i == root.head.i:
                    ref = self._known_at(doc, t.i)
                    if ref is not None and CLASS_COARSE.get(ref) == "ORG":
                        return True
        if root.dep_ in ("nsubj",) and root.head.lemma_.lower() in self.org_verbs and root.head.pos_ == "VERB":
            # a person "launches" too; only when the verb has an organisational object or a place
            for c in root.head.children:
                if c.dep_ == "prep" and c.lower_ in ("in", "into", "across") and any(
                        g.ent_type_ in ("GPE", "LOC") or self._known_at(doc, g.i) in ("Country", "City", "Region") for g in c.children):
                    return True
        if self._surface_appos(doc, end) in ("Company", "Platform", "Organization", "GovernmentBody", "Association", "MediaOutlet"):
            return True
        return False

    def _known_at(self, doc: Doc, i: int) -> str | None:
        t = doc[i]
        if t.ent_id_ and t.ent_id_ in self.ref.entities:
            return self.ref.entities[t.ent_id_].cls
        return None

    def _trim(self, doc: Doc, start: int, end: int) -> tuple[int, int]:
        while start < end and (doc[start].lower_ in _STRIP_LEAD or doc[start].text in _QUOTES
                               or doc[start].is_punct or doc[start].is_space):
            start += 1
        while end > start and (doc[end - 1].text in ("'s", "’s", "'") or doc[end - 1].text in _QUOTES
                               or doc[end - 1].lower_ in _STRIP_TRAIL
                               or (doc[end - 1].is_punct and doc[end - 1].text not in (".",))
                               or doc[end - 1].is_space):
            end -= 1
        # an amount the model read into the name: "fined Kakao 15.1 billion won"
        for k in range(start + 1, end):
            if doc[k].like_num and any(doc[j].lower_ in self.money_words for j in range(k, end)):
                end = k
                break
        # a trailing period only stays for abbreviations like "Inc." / "Co."
        if end > start and doc[end - 1].text == "." and end - 1 > start and not doc[end - 2].text.endswith(("Inc", "Co", "Corp", "Ltd", "No")):
            end -= 1
        return start, end

    def _strip_descriptors(self, doc: Doc, start: int, end: int) -> int:
        """Leading role titles and context nouns are not part of a name ("Judge John Chun", "Rival
        Expedia", "CEO Jane Doe"), as long as a capitalised word stays."""
        while start < end - 1 and (doc[start].lower_ in self.role_words or doc[start].lower_ in self.org_context_nouns) \
                and doc[start + 1].text[:1].isupper():
            start += 1
        return start

    def _junk(self, doc: Doc, start: int, end: int, cls: str) -> bool:
        span = doc[start:end]
        text = span.text
        if text in self.not_entities or text.upper() in self.not_entities:
            return True
        if not any(ch.isalpha() for ch in text):
            return True
        if all(not t.text[:1].isupper() and not t.text[:1].isdigit() and not _CAMEL.search(t.text)
               for t in span if t.is_alpha):
            return True  # no capitalised word: "e-commerce", "social media" (but "iFood", "xAI" are names)
        low = text.lower()
        if cls == "Person":
            if low in self.role_words or any(t.lower_ in self.role_words for t in span) and len(span) == 1:
                return True
            if any(t.is_digit for t in span):
                return True
        if low in self.role_words:
            return True
        if len(span) > 10:
            return True
        if len(span) == 1 and span[0].pos_ in ("NOUN", "ADJ", "VERB", "ADV") and not span[0].is_upper \
                and span[0].is_sent_start and not _CAMEL.search(span[0].text) \
                and (not self.english or span[0].lower_ in self.english or span[0].lemma_.lower() in self.english):
            return True  # a capitalised common word at a sentence start: "Challenges" (not "LinkedIn", "Blinkit")
        return False

    def _cue_class(self, doc: Doc, start: int, end: int, cls: str) -> tuple[str, str]:
        span = doc[start:end]
        words = span.text.split()
        root = span.root
        if cls == "Person":
            if root.dep_ in ("compound", "nmod", "amod") and root.head.pos_ == "NOUN" and root.head.i >= end:
                desc = self._descriptor(doc, start, end)
                return (desc or "Product"), "cue"  # "a Store Delivery mini-program entry"
            desc = self._descriptor(doc, start, end)
            if desc is not None and desc not in ("Person",) and start > 0 and doc[start - 1].pos_ == "NOUN":
                return desc, "cue"  # "advocacy group Stop Uyghur Genocide"
            appos = self._surface_appos(doc, end)
            if appos is not None and appos not in ("Person", "City", "Country", "Region"):
                return appos, "cue"  # "Zalora, a unit of Global Fashion Group"
            return cls, "model"
        if self._role_cue(doc, start, end):
            return "Person", "cue"
        last = words[-1]
        if last in self.suffix and len(words) > 1:
            return self.suffix[last], "cue"
        for prefix, pcls in self.prefix.items():
            if span.text.startswith(prefix + " "):
                return pcls, "cue"
        desc = self._descriptor(doc, start, end)
        if desc is not None:
            return desc, "cue"
        return cls, "model"

    def _title_part(self, doc: Doc, end: int) -> bool:
        return end + 1 < len(doc) and doc[end].lower_ in self.gov_titles and doc[end + 1].ent_type_ in ("PERSON", "Person")

    def _role_cue(self, doc: Doc, start: int, end: int) -> bool:
        """A name the model typed as an organisation or place but the text gives a role:
        'X becomes CEO of', 'X takes the top job at', 'X, chief executive of Y'."""
        root = doc[start:end].root
        if root.dep_ == "nsubj" and root.head.pos_ in ("VERB", "AUX") and root.head.lemma_ in (
                "become", "serve", "take", "remain", "join", "step", "say", "tell", "add", "highlight", "caution"):
            for t in root.head.subtree:
                if t.i >= end and (t.lower_ in self.role_words or t.lower_ in ("job", "helm")) and t.dep_ in ("attr", "dobj", "pobj", "oprd"):
                    return True
        if start >= 2 and doc[start - 1].text == "," and doc[start - 2].lower_ in self.title_heads \
                and doc[start - 2].lower_ not in self.descriptor:
            return True
        if end + 2 < len(doc) and doc[end].text == ",":
            nxt = doc[end + 1: min(end + 5, len(doc))]
            if any(t.lower_ in self.role_words and t.lower_ not in self.descriptor and t.lower_ != "partner" for t in nxt[:3]) \
                    and any(t.lower_ in ("of", "at") for t in nxt):
                return True
        return False

    def _surface_appos(self, doc: Doc, end: int) -> str | None:
        """', the video generation model ...' right after a name, when the parser did not attach
        the apposition to it: the last noun of the run after the comma is the descriptor."""
        if end >= len(doc) or doc[end].text != ",":
            return None
        i = end + 1
        if i < len(doc) and doc[i].pos_ == "DET":
            i += 1
        last_noun = None
        for j in range(i, min(i + 7, len(doc))):
            t = doc[j]
            if t.pos_ == "NOUN":
                last_noun = t
            elif t.pos_ in ("ADJ", "PART", "PROPN", "NUM") or t.text in ("-", "'s", "’s"):
                if t.pos_ == "PROPN" and last_noun is not None:
                    break
                continue
            else:
                break
        if last_noun is None:
            return None
        return self.descriptor.get(last_noun.lower_) or self.descriptor.get(last_noun.lemma_.lower())

    def _descriptor(self, doc: Doc, start: int, end: int) -> str | None:
        """A describing noun: compound before the name ('platform Tokopedia') or its appositive
        head ('Tokopedia, an e-commerce unit of GoTo')."""
        root = doc[start:end].root
        # compound/appos noun right before the name, in the same noun phrase
        if start > 0:
            prev = doc[start - 1]
            if prev.pos_ in ("NOUN",) and (prev.head.i in range(start, end) or root.head.i == prev.i):
                cls = self.descriptor.get(prev.lower_) or self.descriptor.get(prev.lemma_.lower())
                if cls:
                    return cls
        if root.dep_ in ("compound", "nmod") and root.head.i >= end and root.head.pos_ == "NOUN":
            head = root.head
            cls = self.descriptor.get(head.lower_) or self.descriptor.get(head.lemma_.lower())
            if cls:
                owned = any(c.dep_ == "poss" for c in head.children)
                return "Product" if owned and cls in ("Platform", "Company") else cls
        for child in root.children:
            if child.dep_ == "appos" and child.pos_ == "NOUN":
                cls = self.descriptor.get(child.lower_) or self.descriptor.get(child.lemma_.lower())
                if cls:
                    return cls
        if root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.i < start:
            cls = self.descriptor.get(root.head.lemma_.lower())
            if cls:
                return cls
        # "a food delivery service called Douyin Takeaway"
        if start >= 2 and doc[start - 1].lower_ in ("called", "named", "dubbed", "branded"):
            cls = self.descriptor.get(doc[start - 2].lemma_.lower())
            if cls:
                return "Product" if cls in ("Platform", "Company") and self._starts_with_org(doc[start:end].text) else cls
        return self._surface_appos(doc, end)

    def _starts_with_org(self, name: str) -> bool:
        words = name.split()
        return len(words) > 1 and (self.alias_ref.get(words[0]) or self.alias_ref.get(words[0].casefold())) is not None

    def _acronyms(self, doc: Doc, ments: list[EntMention]) -> list[EntMention]:
        """'Indonesia competition commission (KPPU)': the bracketed acronym becomes an alias,
        and a separate mention of the acronym there is dropped."""
        drop = set()
        for m in ments:
            e = m.end
            if e + 2 < len(doc) and doc[e].text == "(" and doc[e + 2].text == ")" and _ACRONYM.match(doc[e + 1].text):
                m.aliases.append(doc[e + 1].text)
                drop.add(e + 1)
        return [m for m in ments if not (m.start in drop and m.end == m.start + 1)]
