"""Preset queries: ``.rq`` files shipped in ``kg/query/presets/``, each opening with a header::

    # title: Partners of an organisation
    # description: Organisations that partner with ORG, with the article and evidence sentence.
    # param: org (entity): the organisation: label, alias or IRI
    # param: hops (integer, default 2, 1..3): how far to walk
    # example: kg query out/graph.ttl --preset partners-of --param org=Xiaohongshu

Parameter kinds: ``entity`` (a label, alias or IRI, resolved to the entity IRI), ``class`` (an
ontology class name such as ``Platform``), ``date`` (YYYY, YYYY-MM or YYYY-MM-DD), ``integer``,
``string``. A parameter with a default, or marked ``optional``, may be left out (an optional
parameter left out stays an unbound variable: the query then covers every value).
The same header works in your own ``-f query.rq`` files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import QueryError

PRESET_DIR = Path(__file__).resolve().parent / "presets"
KINDS = ("entity", "class", "date", "integer", "string", "auto")

_HEADER = re.compile(r"^#\s*(title|description|param|example)\s*:\s*(.*)$")
_PARAM = re.compile(r"^(\w+)\s*\(([^)]*)\)\s*:?\s*(.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "auto"
    default: str | None = None
    optional: bool = False
    description: str = ""
    low: int | None = None
    high: int | None = None

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "default": self.default, "required": self.required,
                "description": self.description}


@dataclass(frozen=True)
class Preset:
    name: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = field(default=())

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def to_dict(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [p.to_dict() for p in self.params], "examples": list(self.examples),
                "query": self.text}


def parse_header(text: str, name: str = "") -> Preset:
    """Read the header comment of a query text (unknown header lines are ignored)."""
    title = description = ""
    params: list[Param] = []
    examples: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        m = _HEADER.match(s)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if key == "title":
            title = value
        elif key == "description":
            description = (description + " " + value).strip()
        elif key == "example":
            examples.append(value)
        else:
            params.append(_parse_param(value, name))
    return Preset(name=name, text=text, title=title, description=description, params=tuple(params),
                  examples=tuple(examples))


def _parse_param(spec: str, where: str) -> Param:
    m = _PARAM.match(spec)
    if not m:
        raise QueryError(f"{where}: bad '# param:' line {spec!r} (expected 'name (kind[, default X]): text')")
    name, opts, desc = m.group(1), [o.strip() for o in m.group(2).split(",")], m.group(3).strip()
    kind = opts[0] or "auto"
    if kind not in KINDS:
        raise QueryError(f"{where}: parameter {name!r} has unknown kind {kind!r} (known: {', '.join(KINDS)})")
    default = None
    optional = False
    low = high = None
    for o in opts[1:]:
        if o.startswith("default"):
            default = o[len("default"):].strip()
        elif o == "optional":
            optional = True
        elif re.fullmatch(r"-?\d+\.\.-?\d+", o):
            a, b = o.split("..")
            low, high = int(a), int(b)
    return Param(name, kind, default, optional, desc, low, high)


@lru_cache(maxsize=1)
def presets() -> dict[str, Preset]:
    """Every shipped preset by name, sorted."""
    out = {}
    for path in sorted(PRESET_DIR.glob("*.rq")):
        out[path.stem] = parse_header(path.read_text(encoding="utf-8"), path.stem)
    return out


def get_preset(name: str) -> Preset:
    table = presets()
    if name not in table:
        import difflib

        close = difflib.get_close_matches(name, table, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise QueryError(f"Unknown preset {name!r}.{hint} Available presets: {', '.join(table)}")
    return table[name]
