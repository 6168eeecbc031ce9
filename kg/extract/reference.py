"""Curated reference entities and lexicons, loaded from ``kg/ontology/`` (data, not code).

``kg/ontology/reference/entities.json`` is a list of objects::

    {"id": "xiaohongshu", "name": "Xiaohongshu", "class": "Platform",
     "aliases": {"en": ["RED", "Little Red Book"], "zh": ["小红书"]}, "wikidata": "Q55379457"}

``id`` is the stable key used in the entity IRI, ``class`` an ontology class local name,
``wikidata`` optional. See ``kg/ontology/README.md``. ``places.json`` beside it (same schema, generated
from GeoNames by :mod:`kg.extract.gazetteer`) adds the world's countries and large cities; a curated
entry with the same id wins.

A user's own reference file (``kg build --reference FILE`` or ``$KG_REFERENCE``, same schema) is merged
over the bundled one: a new ``id`` adds an entity (``name`` and ``class`` required); a known ``id`` adds
its aliases to the bundled entity's and may change its ``name``, ``class``, ``wikidata``,
``case_sensitive``. It is validated strictly: one error line naming the file, the entry and the fix.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.vocab import CLASS_COARSE
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
    gazetteer: bool = False  # from places.json (generated): dropped when part of a longer proper name

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


def load_entities(path: Path, gazetteer: bool = False) -> dict[str, RefEntity]:
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
            case_sensitive=bool(it.get("case_sensitive", False)), gazetteer=gazetteer,
        )
    if problems:
        raise KGError(f"{path}: " + "; ".join(problems))
    return out


_USER_KEYS = {"id", "name", "class", "aliases", "wikidata", "case_sensitive"}


def _user_problems(i: int, it, known: dict[str, RefEntity]) -> list[str]:
    """What is wrong with entry ``i`` of a user reference file (empty: nothing)."""
    if not isinstance(it, dict):
        return [f"entry {i}: expected an object like {{\"id\": ..., \"name\": ..., \"class\": ...}}"]
    where = f"entry {i} ({it.get('name') or it.get('id')!r})"
    out = [f"{where}: unknown key {k!r}; use {', '.join(sorted(_USER_KEYS))}" for k in it if k not in _USER_KEYS]
    if not isinstance(it.get("id"), str) or not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", it.get("id") or ""):
        out.append(f"{where}: 'id' must be a lower-case key such as \"rednote\" (letters, digits, '-', '.', '_')")
    elif it["id"] not in known:
        out += [f"{where}: a new entity needs {k!r}" for k in ("name", "class") if k not in it]
    if "name" in it and not (isinstance(it["name"], str) and it["name"].strip()):
        out.append(f"{where}: 'name' must be a non-empty string")
    if "class" in it and it["class"] not in CLASS_COARSE:
        out.append(f"{where}: unknown class {it['class']!r}; use one of {', '.join(CLASS_COARSE)}")
    al = it.get("aliases", {})
    if not isinstance(al, dict) or set(al) - {"en", "zh"} or not all(
            isinstance(v, list) and all(isinstance(x, str) and x.strip() for x in v) for v in al.values()):
        out.append(f"{where}: 'aliases' must look like {{\"en\": [\"...\"], \"zh\": [\"...\"]}}")
    if "wikidata" in it and not re.fullmatch(r"Q[1-9][0-9]*", str(it["wikidata"])):
        out.append(f"{where}: 'wikidata' must be an item id such as \"Q55379457\"")
    if "case_sensitive" in it and not isinstance(it["case_sensitive"], bool):
        out.append(f"{where}: 'case_sensitive' must be true or false")
    return out


def merge_user_entities(path: Path, bundled: dict[str, RefEntity]) -> dict[str, RefEntity]:
    """``bundled`` with the user reference file at ``path`` merged over it (see the module docstring)."""
    if not path.is_file():
        raise KGError(f"{path}: reference file not found; check --reference / KG_REFERENCE")
    items = _load_json(path)
    if not isinstance(items, list):
        raise KGError(f"{path}: expected a JSON list of entities (same schema as the bundled "
                      f"kg/ontology/reference/entities.json)")
    problems = [p for i, it in enumerate(items) for p in _user_problems(i, it, bundled)]
    ids = [it.get("id") for it in items if isinstance(it, dict)]
    problems += [f"duplicate id {x!r}" for x in sorted({x for x in ids if ids.count(x) > 1})]
    if problems:
        raise KGError(f"{path}: " + "; ".join(problems))
    out = dict(bundled)
    for it in items:
        old = bundled.get(it["id"])
        al = it.get("aliases", {})
        en = tuple(dict.fromkeys((*(old.aliases_en if old else ()), *al.get("en", ()))))
        zh = tuple(dict.fromkeys((*(old.aliases_zh if old else ()), *al.get("zh", ()))))
        out[it["id"]] = RefEntity(
            id=it["id"], name=it.get("name", old.name if old else ""), cls=it.get("class", old.cls if old else ""),
            aliases_en=en, aliases_zh=zh, wikidata=it.get("wikidata", old.wikidata if old else None),
            case_sensitive=it.get("case_sensitive", old.case_sensitive if old else False),
        )
    return out


def load_reference(root: str | None = None) -> ReferenceData:
    """The reference data of ``root`` (default: the bundled ontology), with $KG_REFERENCE merged over it."""
    user = os.environ.get("KG_REFERENCE") or None
    stamp = None
    if user:
        try:
            stamp = Path(user).stat().st_mtime_ns
        except OSError:
            stamp = None
    return _load_reference(root, user, stamp)


@lru_cache(maxsize=4)
def _load_reference(root: str | None, user: str | None, _stamp) -> ReferenceData:
    base = Path(root) if root else ontology_dir()
    entities = load_entities(base / "reference" / "entities.json")
    places = base / "reference" / "places.json"
    if places.is_file():  # the generated gazetteer (kg.extract.gazetteer); curated entries win
        entities = {**load_entities(places, gazetteer=True), **entities}
    if user:
        entities = merge_user_entities(Path(user), entities)
    data = ReferenceData(entities=entities)
    for p in sorted((base / "lexicons").glob("*.json")):
        data.lexicons[p.stem] = _load_json(p)
    return data
