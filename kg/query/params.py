"""Turning ``--param name=value`` text into RDF terms.

An ``entity`` value is an IRI (``<...>``, ``https://...``, ``ent:org/x``) or a label/alias, matched
against ``rdfs:label`` and ``skos:altLabel`` case-insensitively; the lookup itself binds the text as
a literal value, so it never becomes query syntax. Several matches are an error listing them; no
match binds the text as a plain literal (it then matches no entity: the query returns nothing)
and adds a warning with the closest labels.
"""
from __future__ import annotations

import difflib
import re

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kg.errors import ParameterError
from kg.query.presets import Param, Preset
from kg.query.sparql import query_variables, tokenize
from kg.rdf.namespace import ENTITY_CLASSES, PKG, PREFIXES

_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_EXTRA_CLASSES = ("Metric", "Article")

_LOOKUP = """SELECT DISTINCT ?e WHERE { ?e rdfs:label|skos:altLabel ?name }"""
_LOOKUP_CI = """SELECT DISTINCT ?e WHERE {
  ?e rdfs:label|skos:altLabel ?l . FILTER(LCASE(STR(?l)) = ?needle) }"""
_DESCRIBE = """SELECT ?label ?type WHERE { OPTIONAL { ?e rdfs:label ?label } OPTIONAL { ?e a ?type } }"""
_SOME = """SELECT DISTINCT ?label WHERE { ?e a ?type ; rdfs:label ?label } ORDER BY ?label LIMIT 400"""


def _run(engine, text: str, bindings: dict):
    from kg.query.sparql import bind_values

    return engine.execute(bind_values(text, bindings))


def as_iri(value: str) -> URIRef | None:
    """An IRI written as <...>, an absolute http(s)/urn IRI, or a prefixed name with a project prefix."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        return URIRef(v[1:-1])
    if re.match(r"^(?:https?|urn):\S+$", v):
        return URIRef(v)
    m = re.match(r"^([A-Za-z][\w-]*):(\S+)$", v)
    if m and m.group(1) in PREFIXES:
        return URIRef(str(PREFIXES[m.group(1)]) + m.group(2))
    return None


def _label_variants(value: str) -> list[Literal]:
    forms = {value, value.lower(), value.upper(), value.title(), value.capitalize()}
    out = []
    for f in sorted(forms):
        out += [Literal(f), Literal(f, lang="en"), Literal(f, lang="zh")]
    return out


def find_entities(engine, value: str) -> list[URIRef]:
    """Entities whose label or altLabel equals ``value`` (case-insensitive)."""
    value = " ".join(value.split())
    if not value:
        return []
    found: set = set()
    for lit in _label_variants(value):
        found |= {r[0] for r in _run(engine, _LOOKUP, {"name": lit}).rows}
    if not found:
        found = {r[0] for r in _run(engine, _LOOKUP_CI, {"needle": Literal(value.lower())}).rows}
    return sorted(found)


def describe(engine, iri: URIRef) -> str:
    rows = _run(engine, _DESCRIBE, {"e": iri}).rows
    label = next((str(r[0]) for r in rows if r[0] is not None), "")
    types = sorted({str(r[1]).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in rows if r[1] is not None})
    return f"<{iri}> ({label or '?'}, {'/'.join(types) or 'untyped'})"


def some_labels(engine, kind_class: URIRef | None = None, limit: int = 8) -> list[str]:
    bindings = {"type": kind_class} if kind_class is not None else {}
    rows = _run(engine, _SOME, bindings).rows
    return [str(r[0]) for r in rows][:limit]


def _resolve_entity(engine, p: Param, value: str, warnings: list[str]):
    iri = as_iri(value)
    if iri is not None:
        return iri
    found = find_entities(engine, value)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        cands = "; ".join(describe(engine, e) for e in found[:10])
        raise ParameterError(
            f"parameter {p.name!r}: {value!r} is ambiguous, it names {len(found)} entities: {cands}. "
            f"Pass the IRI instead, e.g. --param {p.name}={found[0]}")
    labels = {str(r[0]) for r in _run(engine, _SOME.replace(" LIMIT 400", ""), {}).rows}
    close = difflib.get_close_matches(value, sorted(labels), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    warnings.append(f"parameter {p.name!r}: no entity has the label or alias {value!r}{hint}")
    return Literal(value)


def _resolve_class(p: Param, value: str):
    iri = as_iri(value)
    if iri is not None:
        return iri
    names = {c.lower(): c for c in (*ENTITY_CLASSES, *_EXTRA_CLASSES)}
    key = value.strip().lower().replace(" ", "")
    if key not in names:
        raise ParameterError(
            f"parameter {p.name!r}: unknown class {value!r}; classes: {', '.join(names.values())}")
    return PKG[names[key]]


def convert(engine, p: Param, value: str, warnings: list[str]):
    """One parameter's text -> an RDF term, by its kind."""
    if p.kind == "entity":
        return _resolve_entity(engine, p, value, warnings)
    if p.kind == "class":
        return _resolve_class(p, value)
    if p.kind == "date":
        v = value.strip()
        if not _DATE.match(v):
            raise ParameterError(f"parameter {p.name!r}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
        return Literal(v)
    if p.kind == "integer":
        try:
            n = int(value.strip())
        except ValueError:
            raise ParameterError(f"parameter {p.name!r}: {value!r} is not a whole number") from None
        if p.low is not None and not p.low <= n <= p.high:
            raise ParameterError(f"parameter {p.name!r}: {n} is out of range ({p.low}..{p.high})")
        return Literal(n, datatype=XSD.integer)
    if p.kind == "string":
        return Literal(value)
    # auto: an IRI, else an entity's label, else the text itself
    iri = as_iri(value)
    if iri is not None:
        return iri
    found = find_entities(engine, value)
    if len(found) > 1:
        cands = "; ".join(describe(engine, e) for e in found[:10])
        raise ParameterError(f"parameter {p.name!r}: {value!r} is ambiguous, it names: {cands}; pass the IRI")
    return found[0] if found else Literal(value)


def resolve(engine, preset: Preset, raw: dict[str, str] | None, what: str = "the query") -> tuple[dict, list[str]]:
    """Check and convert the raw parameters of a query: ``({var: term}, warnings)``."""
    raw = dict(raw or {})
    warnings: list[str] = []
    declared = {p.name: p for p in preset.params}
    variables = query_variables(tokenize(preset.text)) if raw else set()  # only to check names sent
    for name in raw:
        if name not in declared and name not in variables:
            known = ", ".join(declared) or "none"
            raise ParameterError(f"unknown parameter {name!r} for {what}; its parameters: {known}")
    bindings: dict = {}
    for p in preset.params:
        if p.name in raw:
            bindings[p.name] = convert(engine, p, raw.pop(p.name), warnings)
        elif p.default is not None:
            bindings[p.name] = convert(engine, p, p.default, warnings)
        elif p.required:
            example = ""
            if p.kind == "entity":
                labels = some_labels(engine)
                if labels:
                    example = f"; e.g. --param {p.name}={labels[0]!r} (entities include {', '.join(labels)})"
            raise ParameterError(
                f"missing parameter {p.name!r} for {what} ({p.description or p.kind}){example}")
    for name, value in raw.items():  # undeclared but present in the query: kind "auto"
        bindings[name] = convert(engine, Param(name), value, warnings)
    return bindings, warnings
