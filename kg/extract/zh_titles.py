"""Chinese headlines: names the English pipeline cannot read.

Only complete "organisation(s) + role + name" runs are read (interview headlines such as
"专访...研究所研究员王微"): without word segmentation, a suffix alone is too weak a cue.

* an organisation name is a run of Chinese characters ending with an organisation suffix
  (研究所, 中心, 协会, 委员会, 集团 ...); two such names in a row are a unit and its parent
  ("国务院发展研究中心市场经济研究所": the institute is part of the centre);
* a role word followed by a 2-3 character name is a person with that role at the
  organisation just before it ("...研究所研究员王微");
* a run of Latin script (a brand or company name) opening the headline is an organisation.

Everything comes from ``kg/ontology/lexicons/zh_titles.json``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.reference import load_reference

_HAN = r"\u4e00-\u9fff"


@dataclass
class TitleName:
    text: str
    cls: str
    start: int
    end: int
    role: str = ""
    parent: "TitleName | None" = None
    employer: "TitleName | None" = None


def read_title(title: str, lex: dict | None = None) -> list[TitleName]:
    """Names in a Chinese headline; ``lex`` is the zh_titles lexicon (the default ontology's if None)."""
    lex = lex if lex is not None else load_reference().lexicon("zh_titles")
    suffixes = sorted(lex["org_suffixes"], key=len, reverse=True)
    roles = sorted(lex["role_words"], key=len, reverse=True)
    markers = sorted(lex["interview_markers"], key=len, reverse=True)
    names: list[TitleName] = []
    # split into runs of Chinese characters
    for run in re.finditer(rf"[{_HAN}]+", title):
        text, base = run.group(), run.start()
        pos = 0
        for mk in markers:
            if text.startswith(mk):
                pos = len(mk)
                break
        orgs: list[TitleName] = []
        i = pos
        while i < len(text):
            # the shortest prefix from i that ends in an organisation suffix and is long enough
            found = None
            for j in range(i + lex["min_org_chars"], len(text) + 1):
                chunk = text[i:j]
                suf = next((s for s in suffixes if chunk.endswith(s)), None)
                if suf is not None:
                    # keep extending while the longer chunk still ends in a suffix right after
                    found = (j, lex["org_suffixes"][suf])
                    break
            if found is None:
                break
            j, cls = found
            org = TitleName(text[i:j], cls, base + i, base + j, parent=orgs[-1] if orgs else None)
            orgs.append(org)
            i = j
        rest = text[i:]
        for rw in roles:
            if rest.startswith(rw):
                person = rest[len(rw):len(rw) + 3]
                m = re.match(rf"[{_HAN}]{{2,3}}", person)
                if m and len(rest) - len(rw) in (2, 3) and orgs:
                    # only a complete "organisation + role + name" run is trusted: without word
                    # segmentation a suffix alone is too weak a cue (困局 is not a bureau)
                    names.extend(orgs)
                    names.append(TitleName(m.group(), "Person", base + i + len(rw), base + i + len(rw) + len(m.group()),
                                           role=lex["role_words"][rw], employer=orgs[-1]))
                break
    # a Latin-script name opening the headline: "Ninjavan:2025年..."
    m = re.match(r"^\s*([A-Za-z][A-Za-z0-9&.\- ]{1,40}?)\s*[:：|｜]", title)
    if m and re.search(rf"[{_HAN}]", title):
        names.append(TitleName(m.group(1).strip(), "Organization", m.start(1), m.start(1) + len(m.group(1).strip())))
    return names
