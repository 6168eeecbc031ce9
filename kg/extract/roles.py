"""People and their roles (worksFor): 'COO Conan', 'Conan, COO of X', "X's COO, Conan",
'Daniel Zhang will serve as chief executive of Cloud Intelligence Group', 'Cainiao keeps Wan Lin
as CEO', 'the firm founded by Yuri Milner', 'Mao Wenchao and Qu Fang started the app'."""
from __future__ import annotations

from kg.extract.relations import SentenceReader, _Foreign, coarse

_ZONE_STOP_POS = {"VERB", "AUX", "DET", "PRON", "ADP", "SCONJ", "PART", "NUM"}


def _titles(r: SentenceReader) -> list[str]:
    return sorted(r.ctx.roles["titles"], key=len, reverse=True)


def _has_title(text: str, titles: list[str]) -> bool:
    low = " " + text.lower().replace(",", " ") + " "
    return any(f" {t} " in low for t in titles)


def _normalise(role: str, r: SentenceReader) -> str:
    role = " ".join(role.replace(" ,", ",").split()).strip(" ,-")
    norm = r.ctx.roles["normalise"]
    return norm.get(role.lower(), role)


_ROLE_PHRASE_DEPS = {"prep", "pobj", "poss", "compound", "nmod", "amod", "case", "det", "cc", "conj", "punct", "npadvmod"}


def _phrase(tok) -> list:
    """The tokens of a role phrase, without relative clauses or appositions hanging off it
    ('chief executive of X, which houses Y': Y is not the employer)."""
    out = [tok]
    for c in tok.children:
        if c.dep_ in _ROLE_PHRASE_DEPS:
            out.extend(_phrase(c))
    return sorted(out, key=lambda t: t.i)


def _orgs_of(r: SentenceReader, tokens) -> list:
    out = []
    for t in tokens:
        e = r.ent_at(t)
        if e is not None and coarse(e) in ("ORG", "GOV") and e not in out:
            out.append(e)
    return out


def _fallback_org(r: SentenceReader, person, role: str):
    """No organisation in the role phrase: the organisation the clause is about."""
    root = person.root(r.doc)
    # "Meituan, led by founder and CEO Wang Xing": the noun the participle hangs from
    h = root
    for _ in range(4):
        if h.dep_ in ("acl", "relcl") and (e := r.ent_at(h.head)) is not None and coarse(e) in ("ORG", "GOV"):
            return e, "role-clause-head"
        if h.head.i == h.i:
            break
        h = h.head
    cands = [m for m in r.ents if coarse(m) in ("ORG", "GOV") and m is not person]
    if cands:
        cands.sort(key=lambda m: abs(m.start - person.start))
        return cands[0], "role-nearest-org"
    gov_role = any(w in role.lower() for w in ("minister", "commissioner", "secretary", "governor", "mayor"))
    top = r.ctx.topic_gov if gov_role and r.ctx.topic_gov else r.ctx.topic
    if top is not None:
        pi, m, doc = top
        return _Foreign(m, pi, doc), "role-topic-org"
    return None, ""


def _emit_roles(r: SentenceReader, person, orgs: list, role: str, rule: str, trigger) -> None:
    """worksFor each organisation the role phrase names, else the one the clause is about."""
    if not orgs:
        org, rule = _fallback_org(r, person, role)
        orgs = [org] if org is not None else []
    for o in orgs:
        r.emit(person, "worksFor", o, rule, trigger, {"role": role})


def extract_roles(r: SentenceReader) -> None:
    titles = _titles(r)
    doc = r.doc
    for p in r.ents:
        if p.cls != "Person":
            continue
        root = p.root(doc)
        # 1. title zone right before the name: "JD founder and chairman Richard Liu"
        i = p.start - 1
        zone = []
        while i >= r.sent.start and len(zone) < 10:
            t = doc[i]
            if r.ent_at(t) is not None and coarse(r.ent_at(t)) == "PERSON":
                break
            if t.pos_ in _ZONE_STOP_POS and t.lower_ not in ("and", "of", "co", "&") and r.ent_at(t) is None:
                break
            if t.is_punct and t.text not in (",", "-", "'s") and r.ent_at(t) is None:
                break
            zone.insert(0, t)
            i -= 1
        if zone and any(t.lower_ in ("former", "ex", "ex-", "late", "then") for t in zone):
            zone = []  # a past role is not a current worksFor
        while zone and (zone[0].text in (",", "-", "and", "of") or zone[0].pos_ == "ADJ" and zone[0].lower_ in ("new",)):
            zone.pop(0)
        if zone and _has_title(" ".join(t.text for t in zone), titles):
            orgs = _orgs_of(r, zone)
            gov_titles = set(r.ctx.roles["government_titles"])
            orgs = [o for o in orgs if not (o.origin == "model" and o.end < len(doc) and doc[o.end].lower_ in gov_titles)]
            role_toks = [t for t in zone if (r.ent_at(t) is None or r.ent_at(t) not in orgs) and t.text not in ("'s", "’s")]
            role = _normalise(" ".join(t.text for t in role_toks), r)
            if role:
                _emit_roles(r, p, orgs, role, "role-title-org", root)
        # 2. apposition after the name: "Margrethe Vestager, executive vice-president of the Commission"
        for c in root.children:
            if c.dep_ == "appos" and c.pos_ in ("NOUN", "PROPN") and r.ent_at(c) is None:
                sub = [t for t in _phrase(c) if t.i > root.i]
                text = " ".join(t.text for t in sub)
                if not _has_title(text, titles):
                    continue
                orgs = _orgs_of(r, sub)
                role_toks = [t for t in sub if r.ent_at(t) is None and t.text not in ("'s", "’s", ",")
                             and t.pos_ != "DET"]
                # drop a dangling "of"/"at" left where the organisation was cut out
                while role_toks and role_toks[-1].lower_ in ("of", "at", "for", "in"):
                    role_toks.pop()
                role = _normalise(" ".join(t.text for t in role_toks), r)
                _emit_roles(r, p, orgs, role, "role-apposition", c)
        # 3. copula / naming verbs: "X became CEO of Y", "Y keeps X as CEO", "X takes the top job at Y"
        v = root.head
        if root.dep_ in ("nsubj", "nsubjpass", "dobj") and v.pos_ in ("VERB", "AUX"):
            _role_verb(r, p, v, titles)
        # 4. founders: "A and B started the app", "the firm founded by X"
        _founders(r, p, root)


def _role_verb(r: SentenceReader, p, v, titles) -> None:
    cands = []
    for c in v.children:
        if c.dep_ in ("attr", "oprd", "dobj") and r.ent_at(c) is None:
            cands.append(c)
        if c.dep_ == "prep" and c.lower_ == "as":
            cands += [pc for pc in c.children if pc.dep_ == "pobj"]
        if c.dep_ == "xcomp":  # "was named chief executive"
            cands += [c] + [pc for pc in c.children if pc.dep_ in ("attr", "oprd", "dobj")]
    for n in cands:
        sub = _phrase(n)
        text = " ".join(t.text for t in sub)
        top = any(ph in text.lower() for ph in r.ctx.roles["top_job_phrases"])
        if not (_has_title(text, titles) or top):
            continue
        orgs = _orgs_of(r, sub)
        rule = "role-verb"
        if not orgs:  # "Cainiao keeps Wan Lin as CEO", "X joined Temu as head of ..."
            orgs = [e for e in r.subjects(v) if coarse(e) in ("ORG", "GOV") and e is not p]
        if not orgs:
            orgs = [e for e, prep, _ in r.objects(v, depth=1) if prep in (None, "at") and coarse(e) in ("ORG", "GOV")]
        if top:
            role = "head"
        else:
            role_toks = [t for t in sub if r.ent_at(t) is None and t.pos_ != "DET" and t.text not in ("'s",)]
            while role_toks and role_toks[-1].lower_ in ("of", "at", "for", "in"):
                role_toks.pop()
            role = _normalise(" ".join(t.text for t in role_toks), r)
        for o in orgs:
            r.emit(p, "worksFor", o, rule, v, {"role": role})


def _founders(r: SentenceReader, p, root) -> None:
    verbs = set(r.ctx.roles["founder_verbs"])
    first = root
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head  # "Mao Wenchao and Qu Fang started ...": the first conjunct is the subject
    v = first.head
    lem = v.lemma_.lower()
    if v.pos_ == "VERB" and lem in verbs and first.dep_ == "nsubj":
        subj = r.subjects(v)
        role = "co-founder" if len([s for s in subj if s.cls == "Person"]) > 1 else "founder"
        for o, prep, _ in r.objects(v, depth=0):
            if prep is None and coarse(o) == "ORG":
                r.emit(p, "worksFor", o, "founder-verb", v, {"role": role})
    # "Nadiem Makarim, who founded Gojek": a relative clause on the person
    for c in root.children:
        if c.dep_ == "relcl" and c.lemma_.lower() in verbs and any(x.lower_ == "who" for x in c.children):
            for o, prep, _ in r.objects(c, depth=0):
                if prep is None and coarse(o) == "ORG":
                    r.emit(p, "worksFor", o, "founder-verb", c, {"role": "founder"})
    # "the investment firm founded by Yuri Milner" (passive participle on an apposition)
    if root.dep_ == "pobj" and root.head.dep_ == "agent":
        v = root.head.head
        if v.lemma_.lower() in verbs and v.dep_ == "acl":
            anchor = v.head
            e = r.ent_at(anchor)
            if e is None and anchor.dep_ == "appos":
                e = r.ent_at(anchor.head)
            if e is not None:
                r.emit(p, "worksFor", e, "founded-by", v, {"role": "founder"})
