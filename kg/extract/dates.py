"""Dates in news text -> ISO strings as precise as stated ('2025', '2025-02', '2025-01-09')."""
from __future__ import annotations

import re

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
MONTHS.update({k[:3]: v for k, v in list(MONTHS.items())})
MONTHS["sept"] = 9
QUARTER_END = {"first": 3, "1st": 3, "q1": 3, "second": 6, "2nd": 6, "q2": 6, "third": 9, "3rd": 9, "q3": 9,
               "fourth": 12, "4th": 12, "q4": 12, "last": 12, "final": 12}
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def normalise_date(text: str, article_date: str = "") -> str:
    """'January 9, 2025' -> '2025-01-09'; 'February 2025' -> '2025-02'; 'in February' -> the
    article's year + '-02'; 'the second quarter' -> year + '-06'; '2018' -> '2018'; else ''."""
    t = text.lower().replace(",", " ").replace(".", " ")
    words = t.split()
    year_m = _YEAR.search(t)
    year = year_m.group(1) if year_m else ""
    art_year = article_date[:4] if article_date else ""
    month = next((MONTHS[w] for w in words if w in MONTHS), None)
    day = next((int(w.rstrip("stndrh")) for w in words if re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", w)
                and 1 <= int(re.sub(r"\D", "", w)) <= 31), None)
    if month:
        y = year or art_year
        if not y:
            return ""
        if day and year:
            return f"{y}-{month:02d}-{day:02d}"
        return f"{y}-{month:02d}"
    q = next((QUARTER_END[w.replace("-quarter", "")] for w in words
              if w.replace("-quarter", "") in QUARTER_END and ("quarter" in t)), None)
    if q:
        y = year or art_year
        return f"{y}-{q:02d}" if y else ""
    if year:
        return year
    if art_year and any(w in ("this", "current") for w in words) and "year" in words:
        return art_year
    if art_year and "last" in words and "year" in words:
        return str(int(art_year) - 1)
    return ""
