"""Figures: money (any currency, symbol or word, scale words), percentages, multiples and counts,
typed by nearby keywords (``kg/ontology/lexicons/metrics.json``) and attached to the entity the
sentence is about (possessor, clause subject, nearest organisation, else the article's topic)."""
from __future__ import annotations

import re
from decimal import Decimal

from spacy.tokens import Doc, Span

from kg.extract.candidates import entity_key
from kg.extract.dates import normalise_date
from kg.extract.reference import load_reference
from kg.extract.relations import ArticleContext, SentenceReader, _Foreign, coarse, sentence_evidence
from kg.extract.types import Evidence, Fact, Figure
from kg.util import has_cjk

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_SCALE = r"(?P<scale>trillion|billion|million|thousand|tn|trn|bn|bln|mn|mln|k|m|b)\b\.?"
FRACTIONS = {"half": 50, "a third": 33.3, "one third": 33.3, "a quarter": 25, "one quarter": 25,
             "two thirds": 66.7, "two-thirds": 66.7, "three quarters": 75}


def _lex(lex: dict | None = None) -> dict:
    """The metrics lexicon: the one the caller's pipeline loaded, else the default ontology's."""
    return lex if lex is not None else load_reference().lexicon("metrics")


_MONEY_RES: dict[int, tuple] = {}


def _money_res(lex: dict):
    key = id(lex)
    if key in _MONEY_RES:
        return _MONEY_RES[key]
    syms = sorted(lex["currency_symbols"], key=len, reverse=True)
    sym = "|".join(re.escape(s) for s in syms)
    words = "|".join(re.escape(w) for w in sorted(lex["currency_words"], key=len, reverse=True))
    before = re.compile(rf"(?P<cur>{sym})\s?{_NUM}(?:\s*{_SCALE})?", re.I)
    after = re.compile(rf"{_NUM}(?:\s*{_SCALE})?\s*(?P<cur>{words}|{sym})\b", re.I)
    _MONEY_RES[key] = (lex, before, after)  # keeps lex alive so its id is not reused
    return _MONEY_RES[key]


def _scale(s: str | None, lex: dict) -> Decimal:
    if not s:
        return Decimal(1)
    return Decimal(str(lex["scales"][s.lower().rstrip(".")]))


def _num(s: str) -> Decimal:
    return Decimal(s.replace(",", ""))


def _currency(token: str, lex: dict) -> str:
    for k, v in lex["currency_symbols"].items():
        if token.upper() == k.upper():
            return v
    return lex["currency_words"].get(token.lower(), "")


def parse_money(text: str, lex: dict | None = None) -> list[tuple[Decimal, str, int, int]]:
    """All money amounts in a text: (value, ISO currency, start, end). '$1.5 billion',
    'US$840 million', 'RMB 3.5bn', 'CNY10 trillion', '15 billion rupiah'."""
    lex = _lex(lex)
    _, before, after = _money_res(lex)
    out = []
    taken = []
    for rx in (before, after):
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            cur = _currency(m["cur"], lex)
            if not cur:
                continue
            if m["cur"].lower() in ("m", "b", "k"):
                continue
            # "RM" / "Rp" are only currencies right before a number
            value = _num(m["num"]) * _scale(m["scale"], lex)
            taken.append((m.start(), m.end()))
            out.append((value, cur, m.start(), m.end()))
    return sorted(out, key=lambda x: x[2])


def parse_money_spans(doc: Doc, sent: Span, lex: dict | None = None):
    res = []
    for value, cur, s, e in parse_money(sent.text, lex):
        span = doc.char_span(sent.start_char + s, sent.start_char + e, alignment_mode="expand")
        if span is not None:
            res.append((value, cur, span))
    return res


def percent_values(sent: Span) -> list[tuple[Decimal, object]]:
    out = []
    for t in sent:
        if t.like_num and t.i + 1 < sent.end:
            nxt = t.doc[t.i + 1]
            if nxt.text == "%" or nxt.lower_ in ("percent", "per"):
                try:
                    out.append((_num(t.text), t))
                except Exception:
                    pass
    return out


MONEY_TYPES = ("valuation", "revenue", "netProfit", "gmv", "investment", "fine", "sales")


def _keyword_type(window: str, lex: dict, allowed=None) -> str | None:
    """The metric type whose keyword stands closest before the figure (ties: longest keyword)."""
    best = None
    for mtype, words in lex["metric_keywords"].items():
        if allowed is not None and mtype not in allowed:
            continue
        for w in words:
            for m in re.finditer(r"(?<![\w])" + re.escape(w) + r"(?![\w])", window):
                dist = len(window) - m.end()
                cand = (dist, -len(w), mtype)
                if best is None or cand < best:
                    best = cand
    return best[2] if best else None


def _window(sent_text: str, start: int, end: int, before: int = 70, after: int = 40) -> tuple[str, str]:
    return sent_text[max(0, start - before):start].lower(), sent_text[end:end + after].lower()


def _digits(text: str, lex: dict) -> str:
    """'one million' -> '1 million', padded to the same length so offsets stay valid."""
    words = lex["word_numbers"]
    return re.sub(r"\b(" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + r")(?= (?:million|billion|trillion|thousand)\b)",
                  lambda m: str(words[m.group(1).lower()]).ljust(len(m.group(1))), text, flags=re.I)


def extract_figures(doc: Doc, pi: int, ctx: ArticleContext) -> list[Figure]:
    figs: list[Figure] = []
    lex = ctx.metrics
    share_of = re.compile(r"\s*of\s+(?:[\w'’\-]+\s+){0,6}(?:%s)\b" % "|".join(lex["share_of_nouns"]))  # "X% of ... orders"
    # what may precede a compared player's share: "against 37%", "DouYu more than 30%", "climbed to roughly 24%"
    compared = re.compile(r"(\bto|\bfor|\bhad|\bat|\band|\bwith|,|versus|\bvs\.?|against|while|\b[A-Z][\w.&'\-]*)"
                          r"(?:\s+(?:%s)){0,2}\s*$" % "|".join(map(re.escape, lex["share_qualifiers"])))
    for sent in doc.sents:
        r = SentenceReader(doc, sent, pi, ctx)
        text = _digits(sent.text, lex)
        dates = [(d.start_char - sent.start_char, d.end_char - sent.start_char) for d in doc.ents
                 if d.label_ in ("DATE", "TIME") and sent.start <= d.start < sent.end]
        used: list[tuple[int, int]] = []
        # money
        for value, cur, s, e in parse_money(text, lex):
            used.append((s, e))
            pre, post = _window(text, s, e, before=120)
            mtype = _keyword_type(post[:14], lex, MONEY_TYPES) if re.match(r"\s*[a-z\-]*\s*(valuation|revenue|sales|gmv|profit|net income|loss|funding|investment|fine|turnover)", post) else None
            mtype = mtype or _keyword_type(pre, lex, MONEY_TYPES) or _after_type(post, lex)
            if mtype is None or mtype not in MONEY_TYPES:
                continue
            if mtype == "netProfit" and re.search(r"\b(loss|losses)\b", pre[-25:] + post[:10]):
                value = -value
            _emit(r, figs, sent, s, e, mtype, value, cur, "money")
        # counts: "125 million users", "10 million Tuike participants"
        count_nouns = sorted(lex["count_nouns"], key=len, reverse=True)
        cn = "|".join(re.escape(c) for c in count_nouns)
        rx = re.compile(rf"{_NUM}\s*(?P<scale>trillion|billion|million|thousand)?\s+(?:(?:[A-Za-z\-]+\s+){{0,2}})(?P<noun>{cn})\b", re.I)
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in used):
                continue
            pre = text[max(0, m.start() - 12):m.start()].lower()
            if re.search(r"(\$|rmb|cny|usd|€|£)\s*$", pre):
                continue
            mid = text[m.end("num"):m.start("noun")].lower()
            if re.search(r"\b(percent|per|yuan|dollars?)\b|%", mid):
                continue
            value = _num(m["num"]) * _scale(m["scale"], lex)
            if value < 1000 and not m["scale"]:
                continue
            if any(ds <= m.start("num") < de for ds, de in dates):
                continue
            after = text[m.end():m.end() + 12].lower()
            if any(after.lstrip().startswith(w) for w in lex["threshold_words"]):
                continue
            used.append((m.start(), m.end()))
            mtype = lex["count_nouns"][m["noun"].lower()]
            _emit(r, figs, sent, m.start(), m.end(), mtype, value, "count", "count-noun")
        # bare scaled numbers with a currency-less money keyword in a Chinese-language article
        default_cur = "CNY" if has_cjk(ctx.article.title) else ""
        for m in re.finditer(rf"{_NUM}\s*(?P<scale>trillion|billion|million)\b", text):
            if any(m.start() < e and s < m.end() for s, e in used):
                continue
            after = text[m.end():m.end() + 30].lower()
            if re.match(r"\s*(?:[a-z\-]+\s+){0,3}(mark|threshold)\b", after):
                continue
            pre, post = _window(text, m.start(), m.end(), 50, 40)
            mtype = _keyword_type(post[:40], lex) or _keyword_type(pre, lex)
            value = _num(m["num"]) * _scale(m["scale"], lex)
            if mtype in ("sales", "revenue", "gmv") and default_cur:
                used.append((m.start(), m.end()))
                _emit(r, figs, sent, m.start(), m.end(), mtype, value, default_cur, "money-implicit-currency")
            elif mtype in ("users", "merchants"):
                used.append((m.start(), m.end()))
                _emit(r, figs, sent, m.start(), m.end(), mtype, value, "count", "count-keyword")
        # percentages and multiples; a sentence that states one market share compares players' shares
        pcts = list(re.finditer(rf"{_NUM}\s*(?:%|percent\b|per cent\b)", text))
        shares = any(share_of.match(text[m.end():]) or re.search(r"\b(market share|share of|of the market)\b",
                                                                    text[m.end():m.end() + 35]) for m in pcts)
        for m in pcts:
            if any(m.start() < e and s < m.end() for s, e in used):
                continue
            pre, post = _window(text, m.start(), m.end(), 60, 40)
            value = _num(m["num"])
            if re.search(r"\b(market share|share of|of the market|market)\b", post[:35]) or "market share" in pre[-30:] \
                    or share_of.match(post):
                mtype = "marketShare"
            elif shares and compared.search(text[max(0, m.start() - 60):m.start()]):  # as written: names are capitalised
                mtype = "marketShare"  # "against 37% for Foodpanda", "compared with 30% for Ele.me", "climbed to roughly 24%": a compared player
            elif re.search(r"(stake|share|holding|own)\b", post[:25]):
                continue  # a stake in a deal, read by the relation rules
            else:
                kt = _keyword_type(pre[-45:], lex)
                if kt in ("growth",) or re.search(r"\b(up|rose|grew|increase|growth|jump|surge|climb|fell|drop|lost|declin|slid|down|improv|lifted)", pre[-45:] + post[:25]):
                    mtype = "growth"
                else:
                    continue
            if mtype == "growth" and re.search(r"\b(fell|drop|lost|declin|slid|down|sank|shrank)", pre[-40:] + post[:10]):
                value = -value
            _emit(r, figs, sent, m.start(), m.end(), mtype, value, "percent", "percent")
        for m in re.finditer(rf"{_NUM}(?:-fold|\s*times)\b", text):
            _emit(r, figs, sent, m.start(), m.end(), "growth", _num(m["num"]), "ratio", "multiple")
        for word, pct in FRACTIONS.items():
            for m in re.finditer(rf"\b{word}\s+of\s+(?:[\w'’\-]+\s+){{0,5}}market\b", text, re.I):
                _emit(r, figs, sent, m.start(), m.end(), "marketShare", Decimal(str(pct)), "percent", "fraction-share")
    return figs


def compared_shares(figures: list) -> list:
    """Rule 'share-comparison' (annotation guidelines: named players' shares compared in one market
    are rivals): the organisations a sentence gives a market share each, pairwise competesWith.
    Like every rule's, its firings are a feature of the candidate and the classifier decides."""
    by_sentence: dict[tuple, dict] = {}
    for f in figures:
        if f.metric_type == "marketShare" and f.modality == "asserted" and coarse(f.entity) == "ORG":
            by_sentence.setdefault((f.evidence.passage, f.evidence.start), {}).setdefault(entity_key(f.entity), f)
    out = []
    for players in by_sentence.values():
        named = list(players.values())
        for i, a in enumerate(named):
            for b in named[i + 1:]:
                out.append(Fact(subject=a.entity, predicate="competesWith", object=b.entity, evidence=a.evidence,
                                rule="share-comparison", confidence=0.0))
    return out


def _after_type(post: str, lex: dict) -> str | None:
    m = re.match(r"\s*(?:in|of)\s+([a-z\- ]{3,30})", post)
    if m:
        return _keyword_type(m.group(1) + " ", lex, MONEY_TYPES)
    return None


def _emit(r: SentenceReader, figs: list, sent: Span, s: int, e: int, mtype: str, value: Decimal, unit: str,
          rule: str) -> None:
    for ent in _owners(r, sent, s, e, mtype):
        _emit_for(r, figs, sent, s, e, mtype, value, unit, rule, ent)


def _owners(r: SentenceReader, sent: Span, s: int, e: int, mtype: str) -> list:
    """The entities the figure at characters ``s``-``e`` of ``sent`` describes (annotation guidelines):
    an investment is the money of whoever puts it in (a round a company raises is no one's); a fine
    belongs to the parties fined, never to the body that imposed it; a compared share to the player
    named with it; anything else to the sentence's subject of the figure."""
    if mtype == "investment":
        return [x for x in [_investor(r, sent, s)] if x is not None]
    owners = _fined_parties(r, sent, s) if mtype == "fine" else []
    if mtype == "marketShare":
        owners = [x for x in [_share_holder(r, sent, s, e)] if x is not None]
    if not owners:
        owners = [x for x in [_subject_of_figure(r, sent, s)] if x is not None]
    return [x for x in owners if not (mtype == "fine" and coarse(x) == "GOV")]


def _emit_for(r: SentenceReader, figs: list, sent: Span, s: int, e: int, mtype: str, value: Decimal, unit: str,
              rule: str, ent) -> None:
    mention = ent.to_mention(r.ctx) if isinstance(ent, _Foreign) else r.ctx.mention(ent, r.pi, r.doc)
    date = ""
    best = None
    for d in r.doc.ents:
        if d.label_ == "DATE" and sent.start <= d.start < sent.end:
            dist = abs(d.start_char - (sent.start_char + s))
            nd = normalise_date(d.text, r.ctx.article.date)
            if nd and (best is None or dist < best):
                best, date = dist, nd
    if not date and r.ctx.article.date:
        date = r.ctx.article.date[:4]
    tok = r.doc.char_span(sent.start_char + s, sent.start_char + e, alignment_mode="expand")
    modality = "asserted"
    if tok is not None:
        low = sent.text[max(0, s - 40):s].lower()
        if re.search(r"\b(projected|expected|forecast|estimated to|target|plans?|aims?|would|could|expects?)\b", low):
            modality = "forecast"
    ev = sentence_evidence(r.doc, sent, r.pi)
    figs.append(Figure(entity=mention, metric_type=mtype, value=value, unit=unit, date=date, evidence=ev,
                       rule=rule, confidence=r.ctx.conf("figure-" + rule), modality=modality))


def _investor(r: SentenceReader, sent: Span, s: int):
    """Who puts the money at character ``s`` of ``sent`` into something (annotation guidelines: an
    investment is the entity's own money): the subject of a buying or investing verb ("Amazon has
    invested $8 billion in Anthropic", "Walmart bought a 77% stake in Flipkart for $16 billion", "led a
    $600 million round"), or the possessor of such a noun ("TikTok's acquisition of a 75% stake").
    None when the sentence names no investor (a round raised, a listing): then it is no one's metric."""
    stake = r.lex["acquiredStakeIn"]
    verbs = set(stake["verbs"]) | set(stake["into_verbs"])
    nouns = set(stake["nouns"])
    found = []
    for t in sent:
        lem = t.lemma_.lower()
        if t.pos_ in ("VERB", "AUX") and lem in verbs:
            found += [e for e in r.subjects(t) if coarse(e) == "ORG"]
        elif t.pos_ == "NOUN" and lem in nouns:
            found += [e for c in t.children if c.dep_ == "poss" and (e := r.ent_at(c)) is not None
                      and coarse(e) == "ORG"]
    return _nearest(r, sent, s, found)


def _nearest(r: SentenceReader, sent: Span, s: int, ents: list):
    """Of ``ents``, the one whose first word is nearest character ``s`` of ``sent`` (None if none)."""
    at = sent.start_char + s
    return min(ents, key=lambda e: abs(r.doc[e.start].idx - at)) if ents else None


def _share_holder(r: SentenceReader, sent: Span, s: int, e: int):
    """The player a compared share is stated for: "37% for Foodpanda", or the name right before the
    number in a gapped list ("Lazada had 7% and Tiki 1%", "DouYu more than 30%", "ahead of Naver at
    23.3%"); None otherwise."""
    doc = r.doc
    after = [t for t in sent if t.idx >= sent.start_char + e]
    if len(after) >= 2 and after[0].lower_ == "for" and (x := r.ent_at(after[1])) is not None and coarse(x) == "ORG":
        return x
    before = [t for t in sent if t.idx + len(t) <= sent.start_char + s]
    qualifiers = r.ctx.metrics["share_qualifiers"]
    while len(before) > 1 and before[-1].lower_ in qualifiers:  # "Naver at 23.3%", "DouYu more than 30%"
        before.pop()
    if before and (x := r.ent_at(before[-1])) is not None and coarse(x) == "ORG" and x.end == before[-1].i + 1 \
            and (x.start == sent.start or doc[x.start - 1].lower_ in ("and", ",", "while", "with", "of")):
        return x
    return None


def _fined_parties(r: SentenceReader, sent: Span, s: int) -> list:
    """Who a fine in ``sent`` was imposed on: the object of "fined" ("fined Kakao 15.1 billion won"),
    the subject of "was fined", or the on/against object of "a fine"/"a penalty" (or of the verb that
    imposes it). Every party of the
    list when the sentence says "each" ("Cheng Wei and Jean Liu were each fined"), else the one
    nearest the amount (at character ``s`` of the sentence); [] when none."""
    words = {w.lower() for w in r.ctx.metrics["metric_keywords"]["fine"]}
    found = []
    for t in sent:
        if t.lemma_.lower() not in words and t.lower_ not in words:
            continue
        heads = []
        if t.pos_ == "VERB":
            heads = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
        elif t.pos_ == "NOUN":
            # "a penalty of 2.02 billion rupees on Amazon", "levied a fine of $1 billion against Amazon":
            # the parser hangs on/against on the amount or on the verb as often as on the noun
            scope = [*t.subtree, *(t.head.children if t.dep_ in ("dobj", "nsubjpass") else ())]
            heads = [g for c in scope if c.dep_ == "prep" and c.lower_ in ("on", "against")
                     for g in c.children if g.dep_ == "pobj"]
        for h in heads:  # "Founder and chief executive Cheng Wei and president Jean Liu were each fined"
            for c in [h, *h.conjuncts]:
                found += [e for e in r.group(c) if coarse(e) in ("ORG", "PERSON", "PRODUCT") and e not in found]
    if len(found) > 1 and any(t.lower_ == "each" for t in sent):
        return found
    return [x for x in [_nearest(r, sent, s, found)] if x is not None]


_METRIC_NOUNS = {"valuation", "revenue", "revenues", "profit", "income", "loss", "investment", "gmv", "volume",
                 "users", "buyers", "sellers", "merchants", "sales", "turnover", "earnings", "share", "shares",
                 "funding", "injection", "fine", "value", "customers", "subscribers", "orders", "base", "number"}


def _subject_of_figure(r: SentenceReader, sent: Span, s: int):
    doc = r.doc
    tok = doc.char_span(sent.start_char + s, sent.start_char + s + 1, alignment_mode="expand")
    ents = [m for m in r.ents if coarse(m) in ("ORG", "PRODUCT", "GOV")]
    if tok is not None:
        t = tok.root
        # "a deal that could value GoTo at $7 billion": the valued object
        for a in [t, *t.ancestors][:5]:
            if a.pos_ == "VERB" and a.lemma_.lower() in ("value", "price"):
                objs = [e for e, p, _ in r.objects(a, depth=0) if p is None and coarse(e) in ("ORG", "PRODUCT")]
                if objs:
                    return objs[0]
                for c in a.children:
                    if c.dep_ == "dobj":
                        if c.lemma_.lower() in ("company", "firm", "group", "platform", "startup", "business"):
                            # "valuing the Indian e-commerce company at $35 billion": not the clause's subject
                            subj = set(id(x) for x in r.subjects(a))
                            prior = [m for m in r.ents if m.end <= c.i and coarse(m) == "ORG" and id(m) not in subj]
                            if prior:
                                return prior[-1]
                        elif (g := r.group(c)):
                            return g[0]
        # the keyword noun's possessor: "Alibaba's total investment in Lazada to $7.7 billion"
        for k in sent:
            if k.i < t.i and k.lower_ in _METRIC_NOUNS:
                for c in k.children:
                    if c.dep_ == "poss" and (e := r.ent_at(c)) is not None and coarse(e) in ("ORG", "PRODUCT"):
                        return e
        # possessor of the noun the figure hangs from ("Xiaohongshu's valuation")
        h = t
        for _ in range(6):
            for c in h.children:
                if c.dep_ == "poss" and (e := r.ent_at(c)) is not None and coarse(e) in ("ORG", "PRODUCT"):
                    return e
            if h.pos_ in ("VERB", "AUX"):
                subs = [x for x in r.subjects(h) if coarse(x) in ("ORG", "PRODUCT", "PLACE")]
                if subs:
                    return subs[0]
                for c in h.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        for cc in c.subtree:
                            if (e := r.ent_at(cc)) is not None and coarse(e) in ("ORG", "PRODUCT"):
                                return e
                        if c.pos_ == "NOUN" and c.lemma_.lower() not in _METRIC_NOUNS and c.lower_ not in _METRIC_NOUNS \
                                and c.lemma_.lower() not in ("company", "group", "platform", "app", "firm", "business") \
                                and not any(x.dep_ == "poss" for x in c.children):
                            return None  # "a clothing brand achieved 5 million in sales": not a named entity
            if h.head.i == h.i:
                break
            h = h.head
    before = [m for m in ents if m.start < (tok.start if tok is not None else 10**9)]
    if before:
        return before[-1]
    if ents:
        return ents[0]
    places = [m for m in r.ents if coarse(m) == "PLACE"]
    if places:
        return places[0]
    if r.ctx.topic is not None:
        pi, m, d = r.ctx.topic
        return _Foreign(m, pi, d)
    return None
