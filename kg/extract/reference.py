"""Curated reference entities and lexicons, loaded from ``kg/ontology/`` (data, not code).

``kg/ontology/reference/entities.json`` is a list of objects::

    {"id": "xiaohongshu", "name": "Xiaohongshu", "class": "Platform",
     "aliases": {"en": ["RED", "Little Red Book"], "zh": ["小红书"]}, "wikidata": "Q55379457"}

``id`` is the stable key used in the entity IRI, ``class`` an ontology class local name,
``wikidata`` optional. See ``kg/ontology/README.md``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.rdf.namespace import CLASS_COARSE
from kg.util import ontology_dir


@dataclass(frozen=True)
class RefEntity:
    id: str
    name: str
    cls: str
    aliases_en: tuple[str, ...] = ()
    aliases_zh: tuple[str, ...] = ()
    wikidata: str | None = None
    case_sensitive: bool = False

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases_en, *self.aliases_zh)


@dataclass
class ReferenceData:
    entities: dict[str, RefEntity] = field(default_factory=dict)
    lexicons: dict[str, dict] = field(default_factory=dict)

    def lexicon(self, name: str) -> dict:
        return self.lexicons[name]


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KGError(f"{path}: reference file missing; reinstall platform-kg or set KG_ONTOLOGY_DIR") from None
    except json.JSONDecodeError as e:
        raise KGError(f"{path}:{e.lineno}: not valid JSON ({e.msg}); fix the reference file") from None


def load_entities(path: Path) -> dict[str, RefEntity]:
    items = _load_json(path)
    out: dict[str, RefEntity] = {}
    problems = []
    for i, it in enumerate(items):
        cls = it.get("class")
        if cls not in CLASS_COARSE:
            problems.append(f"entry {i} ({it.get('name')!r}): unknown class {cls!r}; use one of {', '.join(CLASS_COARSE)}")
            continue
        if it["id"] in out:
            problems.append(f"entry {i}: duplicate id {it['id']!r}")
        al = it.get("aliases", {})
        out[it["id"]] = RefEntity(
            id=it["id"], name=it["name"], cls=cls, aliases_en=tuple(al.get("en", ())),
            aliases_zh=tuple(al.get("zh", ())), wikidata=it.get("wikidata"),
            case_sensitive=bool(it.get("case_sensitive", False)),
        )
    if problems:
        raise KGError(f"{path}: " + "; ".join(problems))
    return out


@lru_cache(maxsize=4)
def load_reference(root: str | None = None) -> ReferenceData:
    base = Path(root) if root else ontology_dir()
    data = ReferenceData(entities=load_entities(base / "reference" / "entities.json"))
    for p in sorted((base / "lexicons").glob("*.json")):
        data.lexicons[p.stem] = _load_json(p)
    return data
