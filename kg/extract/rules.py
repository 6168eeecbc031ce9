"""The relation rules, one function per construction, each named as it appears in
``pkg:extractedBy``. Every rule reads a :class:`SentenceReader` and calls ``emit``; the type
signature of the predicate filters what is emitted, so a rule may propose freely.
"""
from __future__ import annotations

import re

from kg.extract.dates import normalise_date
from kg.extract.relations import SentenceReader, coarse, sentence_date

# ----------------------------------------------------------------------------- helpers


def _lemma(t) -> str:
    return t.lemma_.lower()


def _money_and_stake(r: SentenceReader) -> dict:
    """Stake percent and price of a deal stated in the sentence."""
    from kg.extract.figures import parse_money_spans, percent_values

    q: dict = {}
    pct = percent_values(r.sent)
    stake_words = {"stake", "share", "shares", "holding", "interest", "equity"}
    for value, tok in pct:
        if any(t.lower_ in stake_words for t in r.doc[tok.i: min(tok.i + 5, r.sent.end)]):
            q["stakePercent"] = value
            break
    money = parse_money_spans(r.doc, r.sent, r.ctx.metrics)
    for amount, currency, span in money:
        prev = r.doc[span.start - 1] if span.start > r.sent.start else None
        if prev is not None and prev.lower_ in ("for", "at", "paying", "worth"):
            q["amount"], q["currency"] = amount, currency
            break
    d = sentence_date(r)
    if d:
        q["date"] = d
    return q


def _date_q(r: SentenceReader) -> dict:
    d = sentence_date(r)
    return {"date": d} if d else {}


def _triggers(r: SentenceReader, lemmas, pos=("VERB",)):
    lemmas = set(lemmas)
    for t in r.sent:
        if t.pos_ in pos and _lemma(t) in lemmas:
            yield t


# ----------------------------------------------------------------------------- verb frames

def verb_frames(r: SentenceReader) -> None:
    """Subject-verb-object with trigger verbs: 'Lazada rolled out Choice', 'KPPU urged Grab',
    'Douyin teamed up with Ele.me', 'TikTok agreed to buy a stake in Tokopedia', passive
    'announced by X', relative clauses, and coordinated subjects/objects."""
    lex = r.lex
    for v in r.sent:
        if v.pos_ not in ("VERB", "AUX") and not (v.pos_ == "NOUN" and v.dep_ == "ROOT"):
            continue
        lem = _trigger_lemma(v, r.lex)
        prt = r.particle(v)
        active_s = r.subjects(v)
        passive = v.tag_ == "VBN" and (any(c.dep_ in ("nsubjpass", "auxpass") for c in v.children) or v.dep_ in ("acl",))
        if passive:
            subjects = r.agents(v)
            objs = [(e, None, None) for e in r.passive_subjects(v)] + r.objects(v)
            if not subjects and lem in lex["launched"]["verbs"]:
                _launched_by_name(r, v, objs)
                continue
        else:
            subjects = active_s
            objs = r.objects(v)
        if lem in lex["regulates"]["verbs"]:
            # "CADE approved Magalu's acquisition of Netshoes": the owner of the approved deal
            for c in v.children:
                if c.dep_ == "dobj" and r.ent_at(c) is None:
                    objs += [(e, "poss", c) for x in c.children if x.dep_ == "poss" for e in r.group(x)]
        if not subjects or not objs:
            continue
        for s in subjects:
            for o, prep, _ in objs:
                _verb_pair(r, v, lem, prt, s, o, prep, passive)


def _verb_pair(r, v, lem, prt, s, o, prep, passive):
    lex = r.lex
    cs, co = coarse(s), coarse(o)
    if prep == "with" and lem in lex["partnerOf"]["with_verbs"]:
        r.emit(s, "partnerOf", o, "partner-verb", v)
        return
    C = lex["competesWith"]
    if lem in C["verbs"] and (prep is None or prep in ("with", "against", "on", "off")) and not passive:
        # phrasal triggers need their particle: "take on", "go (up) against", "square off", "fend off"
        particle = C["verb_particles"].get(lem)
        if particle is None or particle in (prt, prep):
            r.emit(s, "competesWith", o, "compete-verb", v)
            return
    if lem in C["against_verbs"] and prep == "against":
        r.emit(s, "competesWith", o, "compete-verb", v)
        return
    A = lex["acquiredStakeIn"]
    if lem in A["verbs"] or lem in A["into_verbs"]:
        stake_obj = any(c.dep_ == "dobj" and c.lemma_.lower() in A["object_nouns"] for c in v.children)
        control_obj = any(c.dep_ == "dobj" and c.lemma_.lower() in ("control", "ownership", "majority") for c in v.children)
        if (prep in ("in", "into") and (stake_obj or lem in A["into_verbs"])) or (prep == "of" and control_obj) or (
                prep is None and lem in ("acquire", "buy", "purchase") and co == "ORG") or (
                lem == "take" and prt == "over" and prep is None):
            r.emit(s, "acquiredStakeIn", o, "stake-verb", v, _money_and_stake(r))
            return
    S = lex["subsidiaryOf"]
    if lem in S["owner_verbs"] and o is s:
        return
    if lem in S["owner_verbs"] and prep is None and not passive and co == "ORG" and lem != "acquire":
        r.emit(o, "subsidiaryOf", s, "owner-verb", v)
        return
    if passive and lem in ("own", "control") and co == "ORG":
        r.emit(o, "subsidiaryOf", s, "owned-by", v)
        return
    G = lex["regulates"]
    if cs == "GOV" and lem in G["verbs"] and co == "ORG":
        r.emit(s, "regulates", o, "regulate-verb", v)
        return
    I = lex["issued"]
    if cs == "PERSON" and co == "LAW" and lem in I["verbs"] and r.ctx.topic_gov is not None:
        from kg.extract.relations import _Foreign
        pi, g, doc = r.ctx.topic_gov
        r.emit(_Foreign(g, pi, doc), "issued", o, "issue-by-official", v, _date_q(r))
        return
    if cs == "GOV" and lem in I["verbs"] and co == "LAW":
        q = _date_q(r)
        r.emit(s, "issued", o, "issue-verb", v, q)
        return
    L = lex["launched"]
    if lem in L["verbs"] and co in ("PRODUCT", "ORG") and prep in (None, "of") and (co == "PRODUCT" or lem in ("launch", "create", "establish", "set", "start", "found", "debut", "unveil", "introduce", "open")):
        if lem == "set" and prt != "up":
            return
        if lem == "roll" and prt != "out":
            return
        r.emit(s, "launched", o, "launch-verb", v, _date_q(r))
        return
    O = lex["operatesIn"]
    if co == "PLACE" and cs == "ORG" and ((lem in O["verbs"] and prep in ("in", "into", "to", "across", "throughout"))
                                         or (lem in O["object_verbs"] and prep is None)):
        r.emit(s, "operatesIn", o, "operate-verb", v)
        return
    AP = lex["appliesTo"]
    if cs == "LAW" and co == "ORG" and lem in AP["verbs"]:
        r.emit(s, "appliesTo", o, "law-verb", v)
        return
    if cs == "ORG" and co == "LAW" and lem in AP["verbs"]:
        r.emit(o, "appliesTo", s, "law-verb", v)


def funding_rounds(r: SentenceReader) -> None:
    """'A and B led a $500 million funding round', 'backers picked up shares in the deal': the
    investors took a stake in the company the round or deal is for (its possessor, else the
    article's main organisation)."""
    A = r.lex["acquiredStakeIn"]
    for v in r.sent:
        if v.pos_ != "VERB" or _lemma(v) not in ("lead", "join", "participate", "pick", "buy", "take", "acquire", "snap"):
            continue
        nouns = [c for c in v.children if c.dep_ == "dobj" and _lemma(c) in ("round", "funding", "share", "stake", "raise")]
        nouns += [p for c in v.children if c.dep_ == "prep" and c.lower_ == "in" for p in c.children
                  if p.dep_ == "pobj" and _lemma(p) in ("round", "funding", "raise")]
        if not nouns:
            continue
        investors = [s for s in r.subjects(v) if coarse(s) == "ORG"]
        if not investors:
            continue
        targets = [e for n in nouns for e, p in r.prep_objects(n, {"in", "of", "for"}) if coarse(e) == "ORG"]
        targets += [e for n in nouns for e in _possessors(r, n)]
        if not targets:
            deal = [p for c in v.children if c.dep_ == "prep" and c.lower_ == "in" for p in c.children
                    if p.dep_ == "pobj" and _lemma(p) in ("deal", "round", "sale", "transaction", "company", "startup")]
            if (deal or any(_lemma(n) in ("round", "funding") for n in nouns)) and r.ctx.topic is not None:
                from kg.extract.relations import _Foreign
                pi, m, doc = r.ctx.topic
                targets = [_Foreign(m, pi, doc)]
        for i in investors:
            for t in targets:
                r.emit(i, "acquiredStakeIn", t, "funding-round", v, _date_q(r))


_BETWEEN_SUBJ_VERB = {"AUX", "ADV", "PART"}
_BETWEEN_VERB_OBJ = {"DET", "ADJ", "NUM", "ADV"}


def _verb_lemmas(t) -> set[str]:
    low = t.lower_
    out = {t.lemma_.lower(), low}
    for suf in ("ed", "d", "es", "s", "ing"):
        if low.endswith(suf) and len(low) > len(suf) + 2:
            out.add(low[: -len(suf)])
    return out


def _all_triggers(lex: dict) -> frozenset:
    key = id(lex)
    if key not in _TRIGGER_CACHE:
        triggers = set()
        for p in ("partnerOf", "competesWith", "acquiredStakeIn", "regulates", "launched", "operatesIn", "issued", "appliesTo"):
            triggers |= set(lex[p].get("verbs", ())) | set(lex[p].get("with_verbs", ())) | set(lex[p].get("against_verbs", ()))
        triggers |= set(lex["subsidiaryOf"]["owner_verbs"])
        _TRIGGER_CACHE[key] = frozenset(triggers)
    return _TRIGGER_CACHE[key]


_TRIGGER_CACHE: dict = {}


def _trigger_lemma(v, lex) -> str:
    """The trigger a verb form stands for, even where the lemmatizer slips ('fined' -> 'fin')."""
    lem = _lemma(v)
    triggers = _all_triggers(lex)
    if lem in triggers:
        return lem
    cands = sorted(_verb_lemmas(v) & triggers, key=len)
    return cands[-1] if cands else lem


def surface_verbs(r: SentenceReader) -> None:
    """A fallback over the word sequence when the parser mislabels a clause ('Meituan unveiled
    Keeta', 'fined Google 2.4 billion euros' parsed as noun phrases)."""
    lex = r.lex
    triggers = _all_triggers(lex)
    doc = r.doc
    for v in r.sent:
        if v.pos_ not in ("VERB", "ADJ", "NOUN") or r.ent_at(v) is not None:
            continue
        lems = _verb_lemmas(v) & triggers
        if not lems:
            continue
        lem = sorted(lems, key=len)[-1]
        if not (v.tag_ in ("VBD", "VBZ", "VBN", "VBP", "VBG", "JJ") or v.pos_ == "VERB"):
            continue
        i = v.i - 1
        while i >= r.sent.start and doc[i].pos_ in _BETWEEN_SUBJ_VERB and r.ent_at(doc[i]) is None:
            i -= 1
        subj = r.ent_at(doc[i]) if i >= r.sent.start else None
        if subj is None and i >= r.sent.start + 2 and doc[i].lower_ in ("which", "that", "who") and doc[i - 1].text == ",":
            subj = r.ent_at(doc[i - 2])  # "Cloud Intelligence Group, which houses ..."
            if subj is not None and subj.end != i - 1:
                subj = None
        elif subj is not None and subj.end != i + 1:
            subj = None
        if subj is None:
            continue
        j = v.i + 1
        prep = None
        if j < r.sent.end and doc[j].pos_ == "ADP":
            prep = doc[j].lower_
            j += 1
        steps = 0
        while j < r.sent.end and r.ent_at(doc[j]) is None and steps < 5 and (
                doc[j].pos_ in _BETWEEN_VERB_OBJ or (doc[j].pos_ == "NOUN" or doc[j].tag_ == "VBG" or doc[j].text == "-")):
            j += 1
            steps += 1
        obj = r.ent_at(doc[j]) if j < r.sent.end else None
        if obj is None or obj.start != j:
            continue
        prt = doc[v.i + 1].lower_ if v.i + 1 < r.sent.end and doc[v.i + 1].dep_ == "prt" else ""
        passive = v.tag_ == "VBN" and any(doc[k].lemma_ == "be" for k in range(max(r.sent.start, v.i - 2), v.i))
        if passive:
            if prep == "by":
                _verb_pair(r, v, lem, prt, obj, subj, None, False)
            continue
        for o in [obj, *[e for e in r.group(doc[j]) if e is not obj]]:
            _verb_pair(r, v, lem, prt, subj, o, prep, False)


def _launched_by_name(r: SentenceReader, v, objs) -> None:
    """'TikTok Shop, launched in 2021, ...': with no agent stated, the organisation of the
    article whose name the product's name starts with ('TikTok' -> 'TikTok Shop')."""
    for o, prep, _ in objs:
        if prep is not None:
            continue
        oname = o.m.name if hasattr(o, "m") else o.name
        for pi, m, doc in r.ctx.orgs:
            if m.name != oname and oname.startswith(m.name + " ") and coarse(m) == "ORG":
                from kg.extract.relations import _Foreign
                r.emit(_Foreign(m, pi, doc), "launched", o, "launched-name-prefix", v, _date_q(r))
                break


def joint_agents(r: SentenceReader) -> None:
    """'co-developed by A and B': A and B are partners and both launched the subject."""
    joint = set(r.lex["partnerOf"]["joint_agent_verbs"])
    for v in r.sent:
        text = v.lower_
        joined = text
        if v.i > r.sent.start and r.doc[v.i - 1].lower_ in ("co", "jointly"):
            joined = r.doc[v.i - 1].lower_ + ("-" if r.doc[v.i - 1].lower_ == "co" else " ") + _lemma(v)
        elif v.i > r.sent.start + 1 and r.doc[v.i - 1].text == "-" and r.doc[v.i - 2].lower_ == "co":
            joined = "co-" + _lemma(v)
        if not (any(text.startswith(j.split("-")[0] + "-") for j in joint if "-" in j) or joined in joint
                or _lemma(v) in joint or (text.startswith("co-") and v.tag_ == "VBN")):
            continue
        agents = r.agents(v) or r.subjects(v)
        if len(agents) < 2:
            continue
        for i, a in enumerate(agents):
            for b in agents[i + 1:]:
                r.emit(a, "partnerOf", b, "joint-agents", v)
        products = r.passive_subjects(v) or [e for e, _, _ in r.objects(v)]
        for p in products:
            for a in agents:
                r.emit(a, "launched", p, "joint-agents", v, _date_q(r))


# ----------------------------------------------------------------------------- nominalisations

def nominal_relations(r: SentenceReader) -> None:
    """'partnerships with Tmall and JD.com', 'TikTok's acquisition of a stake in Tokopedia',
    'competitors like Douyin and Kuaishou', 'the ban on TikTok Shop', 'the launch of X',
    'X, Y's main rival', 'a direct competitor of Meituan'."""
    lex = r.lex
    for n in r.sent:
        if n.pos_ not in ("NOUN", "PROPN"):
            continue
        lem = _lemma(n)
        low = n.lower_
        if lem in lex["partnerOf"]["nouns"] or low in lex["partnerOf"]["nouns"]:
            _pair_noun(r, n, "partnerOf", "partner-noun", ("with", "between", "among", "of"))
        elif lem in lex["competesWith"]["nouns"] or low in lex["competesWith"]["nouns"]:
            _pair_noun(r, n, "competesWith", "compete-noun", ("of", "to", "with", "for", "against", "like", "including", "as", "from"))
        elif lem in lex["acquiredStakeIn"]["nouns"]:
            if n.dep_ == "dobj" and n.head.lemma_.lower() in lex["acquiredStakeIn"]["divest_verbs"]:
                continue  # "SoftBank sold its stake in Coupang"
            owners = r.owner(n)
            targets = [e for e, p in r.prep_objects(n, {"in", "into", "of"}) if coarse(e) == "ORG"]
            for c in n.children:  # "acquisition of a 75% stake in Tokopedia"
                if c.dep_ == "prep" and c.lower_ == "of":
                    for p in c.children:
                        if p.dep_ == "pobj" and _lemma(p) in lex["acquiredStakeIn"]["object_nouns"]:
                            targets += [e for e, _ in r.prep_objects(p, {"in", "of"})]
            for o in owners:
                for t in targets:
                    r.emit(o, "acquiredStakeIn", t, "stake-noun", n, _money_and_stake(r))
        elif lem in lex["acquiredStakeIn"]["holder_nouns"] or low in lex["acquiredStakeIn"]["holder_nouns"]:
            _holders(r, n)
        elif lem in lex["regulates"]["nouns"]:
            govs = [e for e in r.owner(n) if coarse(e) == "GOV"]
            govs += [e for e, p in r.prep_objects(n, {"from", "by"}) if coarse(e) == "GOV"]
            if not govs:
                continue
            targets = [e for e, p in r.prep_objects(n, {"on", "of", "against", "into", "for", "to"}) if coarse(e) == "ORG"]
            # "regulations limiting TikTok Shop's operations"
            for c in n.children:
                if c.dep_ in ("acl", "relcl") and c.pos_ == "VERB":
                    for e, _, _ in r.objects(c):
                        targets.append(e)
                    for t in c.subtree:
                        if (e := r.ent_at(t)) is not None and coarse(e) == "ORG" and e not in targets:
                            targets.append(e)
            # "X secured approval from GOV": X is the subject of the verb the noun hangs from
            if n.lower_ in lex["regulates"]["from_nouns"] or lem in lex["regulates"]["from_nouns"]:
                h = n.head
                while h.pos_ not in ("VERB", "AUX") and h.head.i != h.i:
                    h = h.head
                targets += [e for e in r.subjects(h) if coarse(e) == "ORG"]
                if not targets and r.ctx.topic is not None and coarse(r.ctx.topic[1]) == "ORG":
                    from kg.extract.relations import _Foreign
                    pi, tm, tdoc = r.ctx.topic
                    for g in govs:
                        r.emit(g, "regulates", _Foreign(tm, pi, tdoc), "regulate-noun-topic", n)
            for g in govs:
                for t in targets:
                    r.emit(g, "regulates", t, "regulate-noun", n)
        elif lem in lex["launched"]["nouns"]:
            owners = r.owner(n)
            prods = [e for e, p in r.prep_objects(n, {"of"})]
            owned = {id(e) for c in n.children if c.dep_ == "prep" and c.lower_ == "of" for p_ in c.children
                     if p_.dep_ == "pobj" and any(x.dep_ == "poss" for x in p_.children) for e in r.group(p_)}
            for o in owners:
                for p in prods:
                    # a product, or an organisation's own new platform ("the opening of its Lingxi platform")
                    if coarse(p) == "PRODUCT" or lem in ("launch", "establishment", "creation") or id(p) in owned:
                        r.emit(o, "launched", p, "launch-noun", n, _date_q(r))


def _pair_noun(r: SentenceReader, n, pred: str, rule: str, preps) -> None:
    targets = [e for e, p in r.prep_objects(n, set(preps))]
    for c in n.children:  # "rivals Alibaba and JD.com"
        if c.dep_ in ("appos", "compound") and (e := r.ent_at(c)) is not None:
            targets += r.group(c)
    if n.dep_ == "compound" and (e := r.ent_at(n.head)) is not None:
        targets += r.group(n.head)
    if n.i + 1 < r.sent.end and (e := r.ent_at(r.doc[n.i + 1])) is not None and e.start == n.i + 1 and e not in targets:
        targets += [x for x in r.group(r.doc[n.i + 1]) if x not in targets] or [e]
    if not targets and n.i + 2 < r.sent.end and r.doc[n.i + 1].lower_ in preps:
        j = n.i + 2
        while j < r.sent.end and j < n.i + 6 and r.ent_at(r.doc[j]) is None and r.doc[j].pos_ in ("DET", "ADJ", "NOUN"):
            j += 1
        if j < r.sent.end and (e := r.ent_at(r.doc[j])) is not None and e.start == j:
            targets.append(e)  # "a direct challenger to market leader Meituan"
    owners = [o for o in r.owner(n) if o not in targets]
    # "X, Y's rival" / "Kuaishou, Douyin's main rival": the apposition's anchor is the other side
    if n.dep_ == "appos" and (anchor := r.ent_at(n.head)) is not None:
        if owners:
            for o in owners:
                r.emit(anchor, pred, o, rule, n)
            return
        owners = [anchor]
    if pred == "partnerOf" and _lemma(n) in ("partnership", "alliance", "cooperation", "collaboration", "tie-up") and not owners:
        between = [e for e, p in r.prep_objects(n, {"between", "among"})]
        if len(between) >= 2:
            for i, a in enumerate(between):
                for b in between[i + 1:]:
                    r.emit(a, pred, b, rule, n)
            return
    if pred == "partnerOf" and any(c.lower_ == "their" for c in n.children):
        sub = [m for m in r.ents if coarse(m) in ("ORG", "GOV")]
        co = [m for m in sub if any(t.dep_ == "conj" for t in [m.root(r.doc)]) or
              any(c.dep_ == "conj" for c in m.root(r.doc).children)]
        for i, a in enumerate(co):
            for b in co[i + 1:]:
                r.emit(a, pred, b, rule + "-their", n)
        return
    if not targets and len(owners) >= 2 and (pred == "partnerOf" or _lemma(n) in ("rivalry", "competition")):
        for i, a in enumerate(owners):
            for b in owners[i + 1:]:
                r.emit(a, pred, b, rule + "-joint", n)
        return
    if pred == "partnerOf" and _lemma(n) == "venture" and not any(c.lower_ == "joint" for c in n.children):
        return
    if not owners:
        owners = [m for m in r.sentence_subject() if m not in targets]
    if not owners and r.ctx.topic is not None and targets:
        from kg.extract.relations import _Foreign
        pi, m, doc = r.ctx.topic
        owners = [_Foreign(m, pi, doc)]
        rule = rule + "-topic"
    for o in owners:
        for t in targets:
            if t is not o:
                r.emit(o, pred, t, rule, n)


def _holders(r: SentenceReader, n) -> None:
    """'SoftBank and Alibaba are among its shareholders', 'brings in DST Global as a new shareholder'."""
    owned = r.owner(n) if any(c.dep_ == "poss" for c in n.children) else []
    holders = []
    # "X and Y ... among its shareholders": subjects of the copula
    h = n.head
    if h.dep_ == "prep" and h.lower_ in ("among", "as"):
        v = h.head
        if v.pos_ in ("VERB", "AUX"):
            if h.lower_ == "as":  # "brings in DST Global as a shareholder": the object is the holder
                holders = [e for e, p, _ in r.objects(v) if p is None]
                if not owned:
                    owned = r.subjects(v)
            else:
                holders = [e for c in v.children if c.dep_ in ("nsubj", "nsubjpass") for e in r.subtree_ents(c)] or r.subjects(v)
    elif n.dep_ == "nsubj" and _lemma(n.head) in ("include", "be", "comprise", "count"):
        holders = [e for e, p, _ in r.objects(n.head) if p is None]
    elif n.dep_ in ("nsubj",):  # "Backers including A and B picked up shares"
        holders = r.group(n)
    elif n.dep_ == "attr":
        holders = r.subjects(n.head)
    if not owned and holders and r.ctx.topic is not None:
        from kg.extract.relations import _Foreign
        pi, m, doc = r.ctx.topic
        owned = [_Foreign(m, pi, doc)]
    for hh in holders:
        for o in owned:
            r.emit(hh, "acquiredStakeIn", o, "holder-noun", n)


# ----------------------------------------------------------------------------- ownership

def ownership(r: SentenceReader) -> None:
    """'ByteDance-owned TikTok', 'Tokopedia, the e-commerce arm of GoTo', 'Sea's Shopee',
    'X, the owner of Y', 'Alibaba's six units are A, B and C', 'Douyin, the ByteDance app'."""
    S = r.lex["subsidiaryOf"]
    doc = r.doc
    for m in r.ents:
        if coarse(m) != "ORG":
            continue
        root = m.root(doc)
        # "ByteDance-owned TikTok": name, hyphen, owned-word, then the owned name within 3 tokens
        e = m.end
        if e + 1 < r.sent.end and doc[e].text == "-" and doc[e + 1].lower_ in S["owned_adjectives"]:
            for j in range(e + 2, min(e + 6, r.sent.end)):
                if (o := r.ent_at(doc[j])) is not None:
                    if doc[e + 1].lower_ == "backed":
                        r.emit(m, "acquiredStakeIn", o, "backed-adjective", doc[e + 1])
                    else:
                        r.emit(o, "subsidiaryOf", m, "owned-adjective", doc[e + 1])
                    break
        # "Singapore's Temasek": a place's organisation (organisations' own are read in surface_appositions)
        for c in root.children:
            if c.dep_ == "poss" and (owner := r.ent_at(c)) is not None and coarse(owner) == "PLACE":
                r.emit(m, "operatesIn", owner, "possessive-place", root)
        # appositive unit/owner nouns
        for c in root.children:
            if c.dep_ != "appos" or c.pos_ not in ("NOUN", "PROPN"):
                continue
            anchor_ent = m
            lem = _lemma(c)
            if lem in S["unit_nouns"] or c.lower_ in S["unit_nouns"]:
                parents = [e for e, p in r.prep_objects(c, {"of", "from", "under", "within"}) if coarse(e) == "ORG"]
                parents += [e for e in _possessors(r, c)]
                for p in parents:
                    r.emit(anchor_ent, "subsidiaryOf", p, "unit-apposition", c)
                for e, p in r.prep_objects(c, {"in"}):
                    r.emit(anchor_ent, "operatesIn", e, "unit-in-place", c)
            elif lem in S["owner_nouns"] or c.lower_ in S["owner_nouns"]:
                for e, p in r.prep_objects(c, {"of", "behind"}):
                    r.emit(e, "subsidiaryOf", anchor_ent, "owner-apposition", c)
            elif lem in S["possessive_product_nouns"]:
                for cc in c.children:
                    if cc.dep_ in ("compound", "poss") and (own := r.ent_at(cc)) is not None and own is not anchor_ent:
                        if coarse(own) == "ORG":
                            r.emit(anchor_ent, "subsidiaryOf", own, "product-apposition", c)
    # "Alibaba's logistics arm Cainiao" / "TikTok's parent company ByteDance"
    for m in r.ents:
        if coarse(m) != "ORG" or m.start < 1:
            continue
        k = m.start - 1
        noun = doc[k]
        if noun.pos_ != "NOUN":
            continue
        lem = _lemma(noun)
        j = k
        while j > r.sent.start and doc[j - 1].pos_ in ("NOUN", "ADJ") and r.ent_at(doc[j - 1]) is None:
            j -= 1
        owner = None
        if j >= r.sent.start + 2 and doc[j - 1].text in ("'s", "’s"):
            owner = r.ent_at(doc[j - 2])
        elif j >= r.sent.start + 1 and doc[j - 1].lower_ in ("its", "their"):
            owner = r.antecedent(doc[j - 1])
        if owner is None or coarse(owner) != "ORG" or owner is m:
            continue
        words = {_lemma(doc[x]) for x in range(j, k + 1)}
        if lem in S["unit_nouns"] or lem in ("app", "platform", "marketplace", "brand", "service", "site"):
            r.emit(m, "subsidiaryOf", owner, "possessive-unit", noun)
        elif words & {"parent", "owner"}:
            r.emit(owner, "subsidiaryOf", m, "possessive-parent", noun)
        elif lem in r.lex["competesWith"]["nouns"]:
            r.emit(m, "competesWith", owner, "possessive-rival", noun)
    # "Alibaba's six new units are A, B and C" / "whose businesses include AliExpress"
    for n in r.sent:
        if _lemma(n) in S["unit_nouns"] and n.dep_ == "nsubj" and n.head.lemma_ in ("be", "include", "comprise", "span"):
            parents = _possessors(r, n)
            kids = [e for e, p, _ in r.objects(n.head) if p is None]
            for p in parents:
                for k in kids:
                    r.emit(k, "subsidiaryOf", p, "units-are", n)
    # "X is a wholly owned subsidiary of Y", "X became the e-commerce arm of Y", "Y is the parent of X"
    for n in r.sent:
        if n.dep_ != "attr" or _lemma(n.head) not in ("be", "become", "remain"):
            continue
        lem = _lemma(n)
        subs = [x for x in r.subjects(n.head) if coarse(x) == "ORG"]
        if lem in S["unit_nouns"] or n.lower_ in S["unit_nouns"]:
            parents = [e for e, p in r.prep_objects(n, {"of", "under", "within"}) if coarse(e) == "ORG"]
            parents += [e for e in _possessors(r, n) if coarse(e) == "ORG"]
            for x in subs:
                for p in parents:
                    if p is not x:
                        r.emit(x, "subsidiaryOf", p, "unit-copula", n)
        elif lem in S["owner_nouns"] or n.lower_ in S["owner_nouns"]:
            for x in subs:
                for e, p in r.prep_objects(n, {"of", "behind"}):
                    if coarse(e) == "ORG" and e is not x:
                        r.emit(e, "subsidiaryOf", x, "owner-copula", n)
    # "A merged with B to form C"
    for v in r.sent:
        if _lemma(v) in ("merge", "combine") and v.pos_ == "VERB":
            parts = r.subjects(v) + [e for e, p, _ in r.objects(v, depth=1) if p in ("with", None)]
            for x in v.children:
                if x.dep_ in ("advcl", "xcomp") and _lemma(x) in ("form", "create", "become"):
                    for whole, p, _ in r.objects(x):
                        for part in parts:
                            r.emit(part, "subsidiaryOf", whole, "merge-form", x)


def surface_appositions(r: SentenceReader) -> None:
    """', the e-commerce arm of GoTo', ', the ByteDance short-video app', ', Douyin's main rival',
    ', the owner of Youku' right after a name, read from the words when the parse misattaches them;
    and 'Sea's Shopee' (a possessive organisation directly before an organisation)."""
    S = r.lex["subsidiaryOf"]
    rivals = set(r.lex["competesWith"]["nouns"])
    partners = set(r.lex["partnerOf"]["nouns"])
    doc = r.doc
    for m in r.ents:
        if coarse(m) != "ORG":
            continue
        if m.start >= 2 and doc[m.start - 1].text in ("'s", "’s") and (own := r.ent_at(doc[m.start - 2])) is not None \
                and coarse(own) == "ORG" and own is not m:
            r.emit(m, "subsidiaryOf", own, "possessive-org", doc[m.start])
        if m.end >= r.sent.end or doc[m.end].text != ",":
            continue
        j = m.end + 1
        if j < r.sent.end and doc[j].pos_ == "DET":
            j += 1
        inner_orgs, head = [], None
        while j < r.sent.end and j < m.end + 9:
            t = doc[j]
            e = r.ent_at(t)
            if e is not None and coarse(e) == "ORG":
                if e not in inner_orgs:
                    inner_orgs.append(e)
                j = e.end
                continue
            if t.pos_ == "NOUN":
                head = t
            elif not (t.pos_ in ("ADJ", "PART") or t.text in ("-", "'s", "’s") or t.tag_ == "VBN"
                      or (e is not None and coarse(e) == "PLACE")):
                break
            j += 1
        if head is None:
            continue
        for k in range(m.end + 1, head.i):
            pl = r.ent_at(doc[k])
            if pl is not None and coarse(pl) == "PLACE" and pl.end < len(doc) and doc[pl.end].text in ("'s", "’s"):
                r.emit(m, "operatesIn", pl, "apposition-in-place", head)
        if j + 1 < r.sent.end and doc[j].lower_ in ("in", "across") and (pl := r.ent_at(doc[j + 1])) is not None \
                and coarse(pl) == "PLACE":
            r.emit(m, "operatesIn", pl, "apposition-in-place", head)  # ", the largest marketplace in Latin America"
        lem = _lemma(head)
        after = [e for e in ([r.ent_at(doc[j + 1])] if j + 1 < r.sent.end and doc[j].lower_ in ("of", "from", "behind") else [])
                 if e is not None and coarse(e) == "ORG"]
        if lem in S["unit_nouns"] or lem in S["possessive_product_nouns"]:
            for p in after + inner_orgs:
                r.emit(m, "subsidiaryOf", p, "unit-apposition", head)
        elif lem in S["owner_nouns"]:
            for c in after:
                r.emit(c, "subsidiaryOf", m, "owner-apposition", head)
        elif lem in rivals:
            for o in inner_orgs + after:
                r.emit(m, "competesWith", o, "rival-apposition", head)
        elif lem in partners:
            for o in inner_orgs + after:
                r.emit(m, "partnerOf", o, "partner-apposition", head)


def _possessors(r: SentenceReader, noun) -> list:
    out = []
    for c in noun.children:
        if c.dep_ == "poss":
            out += [e for e in r.group(c) if coarse(e) == "ORG"]
    return out


# ----------------------------------------------------------------------------- places

def places(r: SentenceReader) -> None:
    """'Pinduoduo in China', 'users in Indonesia', 'Singapore-based Grab', 'headquartered in
    Singapore', 'In Indonesia, Tokopedia ...'."""
    O = r.lex["operatesIn"]
    doc = r.doc
    for m in r.ents:
        if coarse(m) != "ORG":
            continue
        root = m.root(doc)
        for e, p in r.prep_objects(root, {"in", "across"}):
            if coarse(e) == "PLACE":
                r.emit(m, "operatesIn", e, "org-in-place", root)
    for p in r.ents:
        if coarse(p) != "PLACE":
            continue
        e = p.end
        # "Singapore-based Grab"
        if e + 1 < r.sent.end and doc[e].text == "-" and doc[e + 1].lower_ in O["based_adjectives"]:
            j = e + 2
            while j < r.sent.end and doc[j].pos_ == "ADJ" and r.ent_at(doc[j]) is None:
                j += 1
            if j < r.sent.end and (o := r.ent_at(doc[j])) is not None and o.start == j:
                r.emit(o, "operatesIn", p, "place-based", doc[e + 1])
            elif p.start >= 3 and doc[p.start - 1].pos_ == "DET" and doc[p.start - 2].text == ",":
                anchor = r.ent_at(doc[p.start - 3])  # "Sea Limited, the Singapore-based owner of ..."
                if anchor is not None:
                    r.emit(anchor, "operatesIn", p, "place-based", doc[e + 1])
    for n in r.sent:
        lem = _lemma(n)
        if n.pos_ == "NOUN" and (lem in O["nouns"] or n.lower_ in O["nouns"] or any(
                c.dep_ == "compound" and c.lower_ in O["nouns"] for c in n.children)):
            locs = [e for e, pp in r.prep_objects(n, {"in", "across", "throughout"}) if coarse(e) == "PLACE"]
            if not locs:
                continue
            owners = [o for o in r.owner(n) if coarse(o) == "ORG"]
            if not owners:
                # "With roughly 125 million users in Indonesia, TikTok brings ..."
                h = n
                while h.head.i != h.i and h.pos_ not in ("VERB", "AUX"):
                    h = h.head
                owners = [o for o in r.subjects(h) if coarse(o) == "ORG"] if h.pos_ in ("VERB", "AUX") else []
            for o in owners:
                for l in locs:
                    r.emit(o, "operatesIn", l, "market-noun", n)
        if n.pos_ == "VERB" and lem in ("base", "headquarter", "locate"):
            locs = [e for e, pp in r.prep_objects(n, {"in"}) if coarse(e) == "PLACE"]
            subj = r.passive_subjects(n) or r.subjects(n)
            for s in subj:
                for l in locs:
                    r.emit(s, "operatesIn", l, "based-in", n)
    # "X achieved $2.5 billion in Indonesia", "X gained users in Indonesia"
    for v in r.sent:
        if v.pos_ != "VERB":
            continue
        locs = [e for e, pp in r.prep_objects(v, {"in", "across", "throughout"}) if coarse(e) == "PLACE"]
        if locs:
            for s in r.subjects(v):
                if coarse(s) == "ORG":
                    for l in locs:
                        r.emit(s, "operatesIn", l, "verb-in-place", v)
    for v in r.sent:
        if v.lemma_ in ("be", "remain", "become") and v.pos_ in ("AUX", "VERB"):
            for c in v.children:
                if c.dep_ == "attr" and c.pos_ == "NOUN":
                    locs = [e for e, pp in r.prep_objects(c, {"in", "across"}) if coarse(e) == "PLACE"]
                    for s in r.subjects(v):
                        if coarse(s) == "ORG":
                            for l in locs:
                                r.emit(s, "operatesIn", l, "copula-in-place", c)
    # "holding 35% of Indonesia's e-commerce market": a place's market, sector or industry
    for n in r.sent:
        if n.pos_ == "NOUN" and n.lemma_.lower() in ("market", "sector", "industry", "e-commerce"):
            locs = [e for e in (r.ent_at(c) for c in n.children if c.dep_ == "poss") if e is not None and coarse(e) == "PLACE"]
            if not locs:
                continue
            h = n
            while h.head.i != h.i and h.pos_ not in ("VERB", "AUX"):
                h = h.head
            for s in (r.subjects(h) if h.pos_ in ("VERB", "AUX") else []):
                if coarse(s) == "ORG":
                    for l in locs:
                        r.emit(s, "operatesIn", l, "place-market", n)
    # sentence-initial "In Indonesia, X ..."
    root = r.sent.root
    for c in root.children:
        if c.dep_ == "prep" and c.lower_ == "in" and c.i < root.i:
            locs = [e for e, _ in r.prep_objects(root, {"in"}) if coarse(e) == "PLACE"]
            for s in r.subjects(root):
                for l in locs:
                    r.emit(s, "operatesIn", l, "fronted-place", c)


# ----------------------------------------------------------------------------- laws

def laws(r: SentenceReader) -> None:
    """A law and an organisation it names: 'X breached the DSA', 'Regulation No. 31, prohibiting
    social platforms ..., led to TikTok Shop's suspension'; the issuer 'GOV's new regulation'."""
    for law in r.ents:
        if coarse(law) != "LAW":
            continue
        root = law.root(r.doc)
        # possessive or compound issuer: "Indonesia's Trade Ministry Regulation"
        for c in root.children:
            if c.dep_ == "poss" and (g := r.ent_at(c)) is not None:
                r.emit(g, "issued", law, "law-possessive", root)
        # participles / relative clauses hanging on the law name the organisations it targets
        for c in root.children:
            if c.dep_ in ("acl", "relcl", "appos") or (c.dep_ == "conj" and c.pos_ == "VERB"):
                for t in c.subtree:
                    if (e := r.ent_at(t)) is not None and coarse(e) == "ORG" and not _is_agent(t):
                        r.emit(law, "appliesTo", e, "law-clause", c)
        # "Under the Digital Services Act, Shein faces ...": the clause's subject
        if root.dep_ == "pobj" and root.head.lower_ == "under" and root.head.head.pos_ in ("VERB", "AUX"):
            v = root.head.head
            for sbj in r.subjects(v):
                r.emit(law, "appliesTo", sbj, "under-law", root.head)
            for o, prep, _ in r.objects(v, depth=0):
                if prep is None:
                    r.emit(law, "appliesTo", o, "under-law", root.head)
        # "DSA's duties apply to X"
        for m in r.ents:
            if coarse(m) != "ORG":
                continue
            for e, p in r.prep_objects(m.root(r.doc), {"under"}):
                if e is law:
                    r.emit(law, "appliesTo", m, "under-law", m.root(r.doc))


def _is_agent(tok) -> bool:
    return any(a.dep_ == "agent" or (a.dep_ == "prep" and a.lower_ == "by") for a in list(tok.ancestors)[:2])


# ----------------------------------------------------------------------------- people

def roles(r: SentenceReader) -> None:
    from kg.extract.roles import extract_roles

    extract_roles(r)


RULES = [verb_frames, surface_verbs, surface_appositions, joint_agents, nominal_relations, ownership, places, laws, roles, funding_rounds]
