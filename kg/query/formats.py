"""Writing a :class:`~kg.query.engine.QueryResult`: a terminal table, or the standard formats.

SELECT/ASK: ``table``, ``csv`` / ``tsv`` (SPARQL 1.1 Query Results CSV and TSV), ``json``
(SPARQL 1.1 Query Results JSON), ``xml`` (SPARQL Query Results XML).
CONSTRUCT/DESCRIBE: ``turtle``, ``ntriples``, ``rdfxml``, ``jsonld`` (JSON-LD, expanded: no context is
fetched; and ``table`` shows them as subject/predicate/object rows).
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from json.encoder import encode_basestring as _json_str  # what json.dumps(ensure_ascii=False) uses
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Literal, URIRef

from kg.errors import QueryError
from kg.rdf.namespace import PREFIXES

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld", "table")
_RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "pretty-xml", "jsonld": "json-ld"}
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
    "table": "text/plain; charset=utf-8",
}
_NS = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))


# A prefixed name's local part that SPARQL and Turtle accept as written (PN_LOCAL, ASCII subset; the
# minted keys are percent-encoded, so CJK names come out as %XX): no '/', no leading '-' or '.', no
# trailing '.'. Anything else is shown as a full <IRI>.
_PN_LOCAL = re.compile(r"(?:[A-Za-z0-9_:]|%[0-9A-Fa-f]{2})(?:(?:[A-Za-z0-9_:.-]|%[0-9A-Fa-f]{2})*"
                       r"(?:[A-Za-z0-9_:-]|%[0-9A-Fa-f]{2}))?")


def shorten(iri: str) -> str:
    """The IRI as it can be pasted into a query: ``kgorg:xiaohongshu``, ``pkg:Platform``, else ``<iri>``.

    The longest matching project namespace wins (``kgorg:`` over ``ent:``); a local part that is
    not a valid prefixed name falls back to the full IRI in angle brackets, never to an invalid name.
    """
    for ns, p in _NS:
        if iri.startswith(ns) and _PN_LOCAL.fullmatch(iri[len(ns):]):
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>"


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def parts(term) -> tuple[str, str, str | None, str | None] | None:
    """``(kind, value, language, datatype)`` of an rdflib or a pyoxigraph term (None: unbound).

    The writers below work on these, so the endpoint can write pyoxigraph's results without
    making rdflib terms first (most of the time an answer took); kind is uri, bnode or literal,
    and a plain string has no datatype."""
    if term is None:
        return None
    if isinstance(term, URIRef):
        return ("uri", str(term), None, None)
    if isinstance(term, BNode):
        return ("bnode", str(term), None, None)
    if isinstance(term, Literal):
        return ("literal", str(term), term.language, None if term.datatype is None else str(term.datatype))
    kind = type(term).__name__  # pyoxigraph: NamedNode, BlankNode, Literal
    if kind == "NamedNode":
        return ("uri", term.value, None, None)
    if kind == "BlankNode":
        return ("bnode", term.value, None, None)
    if kind == "Literal":
        if term.language:
            return ("literal", term.value, term.language, None)
        dt = term.datatype.value
        return ("literal", term.value, None, None if dt == _XSD_STRING else dt)
    return ("literal", str(term), None, None)  # an RDF-star triple: its N-Triples text


def nt(term) -> str:
    """N-Triples / Turtle syntax of one term (used by TSV)."""
    p = parts(term)
    if p is None:
        return ""
    kind, value, lang, dt = p
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    lex = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") \
        .replace("\t", "\\t")
    out = f'"{lex}"'
    if lang:
        return f"{out}@{lang}"
    if dt is not None:
        return f"{out}^^<{dt}>"
    return out


def _json_term_text(term) -> str:
    """One term as its SPARQL JSON object, written as ``json.dumps`` writes it."""
    kind, value, lang, dt = parts(term)
    out = f'{{"type": "{kind}", "value": {_json_str(value)}'
    if lang:
        return f'{out}, "xml:lang": {_json_str(lang)}}}'
    if dt is not None:
        return f'{out}, "datatype": {_json_str(dt)}}}'
    return out + "}"


def to_json(result) -> str:
    """SPARQL 1.1 Query Results JSON, the bytes ``json.dumps(..., ensure_ascii=False)`` writes (an
    answer Oxigraph wrote itself, ``result.json``, as it wrote it: the same content, compact).

    Written as text, each distinct term once per answer (a result repeats its terms: the same
    organisation, type or date in many rows): building the dicts and dumping them was most of
    an endpoint answer's time in Python."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    if result.json is not None:  # written by Oxigraph (kg serve's workers)
        return result.json.decode("utf-8")
    keys = [_json_str(v) + ": " for v in result.vars]
    memo: dict = {}
    out = []
    for row in result.rows:
        cells = []
        for key, t in zip(keys, row):
            if t is None:
                continue
            mk = (type(t), t)
            text = memo.get(mk)
            if text is None:
                text = memo[mk] = _json_term_text(t)
            cells.append(key + text)
        out.append("{" + ", ".join(cells) + "}")
    head = json.dumps({"vars": result.vars}, ensure_ascii=False)
    return '{"head": ' + head + ', "results": {"bindings": [' + ", ".join(out) + "]}}"


def _csv_cell(term) -> str:
    p = parts(term)
    if p is None:
        return ""
    return f"_:{p[1]}" if p[0] == "bnode" else p[1]


def to_csv(result) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerow(["_askResult"])
        w.writerow(["true" if result.boolean else "false"])
        return buf.getvalue()
    w.writerow(result.vars)
    for row in result.rows:
        w.writerow([_csv_cell(t) for t in row])
    return buf.getvalue()


def to_tsv(result) -> str:
    if result.kind == "ask":
        return "?_askResult\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    lines += ["\t".join(nt(t) for t in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def to_xml(result) -> str:
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    if result.kind == "ask":
        out += ["</head>", f"<boolean>{'true' if result.boolean else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    out += [f"<variable name={quoteattr(v)}/>" for v in result.vars]
    out += ["</head>", "<results>"]
    for row in result.rows:
        out.append("<result>")
        for v, t in zip(result.vars, row):
            if t is None:
                continue
            kind, value, lang, dt = parts(t)
            if kind != "literal":
                inner = f"<{kind}>{escape(value)}</{kind}>"
            else:
                attr = ""
                if lang:
                    attr = f" xml:lang={quoteattr(lang)}"
                elif dt is not None:
                    attr = f" datatype={quoteattr(dt)}"
                inner = f"<literal{attr}>{escape(value)}</literal>"
            out.append(f"<binding name={quoteattr(v)}>{inner}</binding>")
        out.append("</result>")
    out += ["</results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _clip(s: str, limit: int) -> str:
    s = " ".join(s.split())
    if limit <= 0 or _width(s) <= limit:
        return s
    out, w = [], 0
    for c in s:
        cw = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if w + cw > limit - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return shorten(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_table(result, max_width: int = 80) -> str:
    """Aligned columns for a terminal (wide CJK characters counted as two columns)."""
    if result.kind == "ask":
        return "yes\n" if result.boolean else "no\n"
    if result.kind == "graph":
        header = ["subject", "predicate", "object"]
        rows = [[cell(t) for t in tr] for tr in result.triples]
    else:
        header = list(result.vars)
        rows = [[cell(t) for t in row] for row in result.rows]
    rows = [[_clip(c, max_width) for c in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    n = len(rows)
    out.append(f"({n} row{'s' if n != 1 else ''}{', truncated' if result.truncated else ''})")
    return "\n".join(out) + "\n"


def to_graph_text(result, fmt: str) -> str:
    g = result.to_graph()
    return g.serialize(format=_RDFLIB_NAMES[fmt])


def render(result, fmt: str, max_width: int = 80) -> str:
    """The result as text in ``fmt``; a format that does not fit the query form is a QueryError."""
    if fmt == "table":
        return to_table(result, max_width)
    if result.kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"a CONSTRUCT/DESCRIBE result can be written as {', '.join(GRAPH_FORMATS)}, not {fmt}")
        return to_graph_text(result, fmt)
    writers = {"csv": to_csv, "tsv": to_tsv, "json": to_json, "xml": to_xml}
    if fmt not in writers:
        raise QueryError(f"a SELECT/ASK result can be written as {', '.join(RESULT_FORMATS)}, not {fmt}")
    return writers[fmt](result)


__all__ = ["GRAPH_FORMATS", "MEDIA_TYPES", "RESULT_FORMATS", "render", "shorten"]
