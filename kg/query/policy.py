"""The offline policy, decided on the parsed query: no ``SERVICE``, no remote ``FROM``, no updates.

A tokenizer cannot decide this: ``FILTER(0<1&&'>'!='x') SERVICE <...>`` reads ``<1&&'>`` as an IRI
and the next quote then hides ``SERVICE``. The query is therefore parsed with rdflib's SPARQL 1.1
parser (the same grammar Oxigraph implements) and the parse tree is walked: a
``ServiceGraphPattern`` anywhere (sub-SELECT, ``EXISTS``, ``OPTIONAL``, ``SERVICE SILENT``...), a
``FROM`` / ``FROM NAMED`` whose graph is not in the local dataset, or any update (``LOAD`` fetches
a URL) is refused. The same check runs for both engines, on the text as written and with its
``\\uXXXX`` escapes expanded (SPARQL, and Oxigraph, expand them before parsing), and with
every CR read as a line end (where rdflib and Oxigraph end a ``#`` comment differently).

A text rdflib cannot parse, but that an engine might still accept, is refused if the word
``service`` appears anywhere in it: without a parse, nothing else is safe.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin

from kg.errors import QueryError

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE_WORD = re.compile(r"service", re.IGNORECASE)
# a text without these letters has no SERVICE, no FROM, no update keyword and no escape that could
# spell one: there is nothing to check, and the parse (up to 200 ms for a long query) is skipped
# (after a letter a keyword would be the end of a name, e.g. prov:wasDerivedFrom; after ? or $ it is
# a variable, e.g. the ?from of the what-changed preset: no token of SPARQL ends in ? or $)
_NEEDS_PARSE = re.compile(
    r"(?<![^\W\d_])(?<![?$])(?:service|from)|\b(?:insert|delete|load|clear|drop|create|add|move|copy|with)\b", re.IGNORECASE)
# a line whose first visible character is # is a comment, or the inside of a long string: either
# way no keyword of it is live (IRIs and prefixed names cannot span lines; escapes are excluded above)
_COMMENT_LINE = re.compile(r"^[ \t]*#[^\n\r]*", re.MULTILINE)
_FORMS = {"SelectQuery": "select", "ConstructQuery": "construct", "AskQuery": "ask", "DescribeQuery": "describe"}


class ReadOnlyError(QueryError):
    """An update sent as a query (the endpoint answers 403 Forbidden)."""


@dataclass(frozen=True)
class Shape:
    """What the offline policy needs to know about one query text."""

    form: str  # select | construct | ask | describe | update | unknown (rdflib could not parse it) | unparsed
    services: tuple[str, ...] = ()  # the SERVICE targets ("?var" for a variable)
    dataset: tuple[str, ...] = ()  # FROM / FROM NAMED graph IRIs
    cartesian: bool = False  # a group joins two or more unconstrained scans (see :func:`_cartesian`)


def expand_escapes(text: str) -> str:
    def rep(m):
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except ValueError:
            return m.group()
    return _UNICODE_ESCAPE.sub(rep, text)


def _walk(node):
    """Every CompValue in an rdflib parse tree (CompValue is a dict, ParseResults a list)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            yield n
            stack.extend(n.values())
        elif isinstance(n, (ParseResults, list, tuple)):
            stack.extend(n)


def _iri(term, prefixes: dict, base: str | None) -> str:
    from rdflib import URIRef, Variable
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(term, Variable):
        return f"?{term}"
    if isinstance(term, CompValue) and term.name == "pname":
        ns = prefixes.get(term.get("prefix") or "")
        return (ns or f"{term.get('prefix') or ''}:") + (term.get("localname") or "")
    if isinstance(term, URIRef):
        return urljoin(base, str(term)) if base else str(term)
    return str(term)


@lru_cache(maxsize=512)
def shape(text: str) -> Shape:
    """The parsed :class:`Shape` of a query or update text (cached: presets are parsed once)."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    from kg.rdf.namespace import PREFIXES

    try:
        tree = parseQuery(text)
    except ParseBaseException:
        try:
            parseUpdate(text)
        except ParseBaseException:
            return Shape("unknown")
        except Exception:  # noqa: BLE001 - rdflib's parse actions raise plain Exceptions
            return Shape("unknown")
        return Shape("update")
    except Exception:  # noqa: BLE001
        return Shape("unknown")
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    base = None
    for decl in tree[0]:
        if decl.name == "PrefixDecl":
            prefixes[decl.get("prefix") or ""] = str(decl["iri"])
        elif decl.name == "Base":
            base = str(decl["iri"])
    form = _FORMS.get(getattr(tree[1], "name", ""), "unknown")
    services, dataset = [], []
    for node in _walk(tree[1]):
        if node.name == "ServiceGraphPattern":
            services.append(_iri(node.get("term"), prefixes, base))
        elif node.name == "DatasetClause":
            target = node.get("default") if node.get("default") is not None else node.get("named")
            dataset.append(_iri(target, prefixes, base))
    return Shape(form, tuple(services), tuple(dataset), _cartesian(tree))


# two or more triple patterns of nothing but variables, two of them with no variable in common:
# the only texts that can be a cartesian product of whole-store scans, so the only ones
# :func:`expensive` parses for it (``?n ?relation ?object . ?subject ?relation ?n`` cannot be one)
_FREE_PATTERN = re.compile(r"\?(\w+)\s+\?(\w+)\s+\?(\w+)\s*[.;}]")


def _cartesian(tree) -> bool:
    """A group graph pattern that joins two or more scans of the whole store sharing no variable
    (``{ ?a ?b ?c . ?d ?e ?f }``): its size is the store's size squared or more. Only groups of
    nothing but triple patterns and plain nested groups count (any VALUES, BIND, FILTER,
    sub-select or a VALUES clause of the query may bind or join them: not decided here)."""
    from rdflib import Variable

    if dict.get(tree[1], "valuesClause") is not None:  # (CompValue.get answers a missing key's name)
        return False

    def free_scans(group):  # the variable sets of the group's unconstrained scans, or None
        parts = dict.get(group, "part") or []
        triples, nested = [], []
        for part in parts:
            if part.name == "TriplesBlock":
                triples += [list(t) for t in dict.get(part, "triples") or []]
            elif part.name == "GroupOrUnionGraphPattern" and len(dict.get(part, "graph") or []) == 1:
                inner = part["graph"][0]
                if getattr(inner, "name", "") != "GroupGraphPatternSub":
                    return None
                sub = free_scans(inner)
                if sub is None or len(sub) != 1:
                    return None
                nested.append(sub[0])
            else:
                return None
        comps = []  # [(variables, unconstrained)] connected by shared variables
        for t in triples:
            vs = {x for x in t if isinstance(x, Variable)}
            free = len(t) == 3 and len(vs) == 3
            joined = [c for c in comps if c[0] & vs]
            for c in joined:
                comps.remove(c)
                vs |= c[0]
                free = free and c[1]
            comps.append((vs, free))
        for vs in nested:
            joined = [c for c in comps if c[0] & vs]
            free = True
            for c in joined:
                comps.remove(c)
                vs |= c[0]
                free = free and c[1]
            comps.append((vs, free))
        if not all(free for _, free in comps):
            return None
        return [vs for vs, _ in comps]

    for node in _walk(tree[1]):
        if node.name == "GroupGraphPatternSub":
            scans = free_scans(node)
            if scans is not None and len(scans) >= 2:
                return True
    return False


def expensive(text: str) -> bool:
    """True when the query is known before running to be a cartesian product of whole-store scans
    (``kg serve`` sends it straight to its expensive lane). Texts without two all-variable
    triple patterns that share no variable are not parsed for this (a parse of a long text,
    e.g. the ecosystem preset's, costs 0.1-0.2 s: more than the query)."""
    free = [set(m) for m in _FREE_PATTERN.findall(text)]
    if not any(not (a & b) for i, a in enumerate(free) for b in free[i + 1:]):
        return False
    return shape(text).cartesian


def _nothing_to_check(text: str) -> bool:
    """No keyword or escape the policy looks for. Cached for texts of up to 20k characters (the
    regular expressions take 0.2 ms for a preset, and kg serve sees the same texts again and
    again; a cache of long texts would hold megabytes)."""
    return _nothing_to_check_cached(text) if len(text) <= 20_000 else _scan(text)


def _scan(text: str) -> bool:
    return "\\u" not in text and "\\U" not in text and not _NEEDS_PARSE.search(_COMMENT_LINE.sub("", text))


_nothing_to_check_cached = lru_cache(maxsize=1024)(_scan)


def check_offline(text: str, is_local_graph: Callable[[str], bool] | None = None) -> Shape:
    """Refuse (``QueryError``) a query that would reach outside this dataset or change it; return
    the :class:`Shape` of the text as written (form ``unparsed`` when there was nothing to check:
    parsing costs up to 200 ms for a long query, and most texts need none)."""
    if _nothing_to_check(text):
        return Shape("unparsed")
    first = None
    # SPARQL (and Oxigraph) end a comment at a CR too, rdflib only at LF: check both readings
    lf = text.replace("\r", "\n")
    for variant in dict.fromkeys((text, expand_escapes(text), lf, expand_escapes(lf))):
        s = shape(variant)
        first = first or s
        if s.form == "update":
            raise ReadOnlyError("updates (INSERT, DELETE, LOAD, CLEAR...) are not allowed: kg queries are read-only "
                             "and never fetch data; use kg load to add data")
        if s.services:
            raise QueryError(f"SERVICE {_show(s.services[0])} is not allowed: kg queries run "
                             "offline and never contact other endpoints; load the remote data first (kg load)")
        for iri in s.dataset:
            if is_local_graph is None or iri.startswith("?") or not is_local_graph(iri):
                raise QueryError(f"FROM <{iri}> is not a graph of this dataset: kg never fetches remote data; "
                                 "drop the FROM clause or load that graph first (kg load)")
        if s.form == "unknown" and _SERVICE_WORD.search(variant):
            raise QueryError("the query mentions SERVICE and its syntax could not be checked, so it is refused: "
                             "kg queries run offline; remove SERVICE (or fix the syntax error)")
    return first


def _show(target: str) -> str:
    return target if target.startswith("?") else f"<{target}>"
