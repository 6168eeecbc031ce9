"""Running SPARQL on either engine and getting the same :class:`QueryResult` back.

* :class:`OxigraphEngine`: a ``pyoxigraph.Store`` (a store directory, or a file parsed into memory),
  queried with the default graph as the union of all graphs (one named graph per article);
* :class:`RdflibEngine`: an ``rdflib.Graph`` (the library API).

Both are read-only (their query calls cannot run updates) and both get the project prefixes
(``pkg:``, ``ent:``, ``rdfs:``...) predeclared.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.query.sparql import syntax_error
from kg.rdf.namespace import PREFIXES

_PREFIX_STR = {k: str(v) for k, v in PREFIXES.items()}


@dataclass
class QueryResult:
    """Rows of rdflib terms (``None`` when unbound), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: str  # "select" | "ask" | "graph"
    vars: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple] = field(default_factory=list)
    truncated: bool = False
    warnings: list[str] = field(default_factory=list)
    # SELECT run with native="json": the answer as Oxigraph wrote it (SPARQL JSON), its row count;
    # rows stay empty (the endpoint's workers send these bytes as they are)
    json: bytes | None = None
    json_rows: int = 0

    def __iter__(self) -> Iterator:
        return iter(self.triples if self.kind == "graph" else self.rows)

    def __len__(self) -> int:
        if self.json is not None:
            return self.json_rows
        return len(self.triples if self.kind == "graph" else self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.kind == "ask" else len(self) > 0

    def dicts(self) -> list[dict]:
        """SELECT rows as ``{var: term}`` (unbound variables left out)."""
        return [{v: t for v, t in zip(self.vars, row) if t is not None} for row in self.rows]

    def to_pandas(self):
        """The result as a pandas DataFrame of plain Python values, in one call.

        SELECT: one column per variable; IRIs become ``str``, literals their Python value (numbers as
        ``int``/``float``, ``xsd:date`` as ``datetime.date``, text as ``str``), unbound cells ``None``.
        CONSTRUCT/DESCRIBE: ``subject``, ``predicate``, ``object`` columns. ASK: one ``ask`` column.
        pandas is not a dependency of the tool; it comes with the notebook/dev set (``make test``).
        """
        try:
            import pandas as pd
        except ImportError:
            raise QueryError("to_pandas() needs pandas: pip install pandas") from None
        if self.kind == "ask":
            return pd.DataFrame({"ask": [bool(self.boolean)]})
        if self.kind == "graph":
            return pd.DataFrame([[plain(t) for t in tr] for tr in self.triples],
                                columns=["subject", "predicate", "object"], dtype=object)
        return pd.DataFrame([[plain(t) for t in row] for row in self.rows], columns=list(self.vars), dtype=object)

    def to_graph(self):
        """CONSTRUCT/DESCRIBE triples as an rdflib Graph with the project prefixes bound."""
        from rdflib import Graph

        from kg.rdf.namespace import bind_prefixes

        g = Graph()
        bind_prefixes(g)
        for t in self.triples:
            g.add(t)
        return g


def plain(term):
    """A plain Python value for one result term (see :meth:`QueryResult.to_pandas`)."""
    from decimal import Decimal

    from rdflib import Literal

    if term is None:
        return None
    if not isinstance(term, Literal):
        return str(term)
    value = term.toPython()
    if isinstance(value, Literal):  # a datatype rdflib has no Python type for (xsd:gYear, ...): its text
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and term.datatype and \
            str(term.datatype).endswith("#integer") else float(value)
    return value if isinstance(value, (str, int, float, bool)) or hasattr(value, "isoformat") else str(term)


def rdflib_syntax_check(text: str) -> QueryError | None:
    """rdflib's parser reports the offending token's position well: use it for messages."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parseQuery(text)
    except ParseBaseException as e:
        return syntax_error(text, e.msg, e.lineno, e.col)
    except Exception:  # noqa: BLE001 - any other failure: fall back to the engine's message
        return None
    return None


class _Deadline:
    def __init__(self, timeout: float | None):
        self.end = time.monotonic() + timeout if timeout else None
        self.timeout = timeout

    def check(self) -> None:
        if self.end is not None and time.monotonic() > self.end:
            raise QueryError(f"the query ran longer than the {self.timeout:g} s time limit; narrow it down")


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, store):
        self.store = store

    def is_local_graph(self, iri: str) -> bool:
        import pyoxigraph as ox

        try:
            return self.store.contains_named_graph(ox.NamedNode(iri))
        except ValueError:
            return False

    def execute(self, text: str, max_rows: int | None = None, timeout: float | None = None,
                union: bool | None = None, native: bool | str = False) -> QueryResult:
        """Run ``text``; the default graph is the union of all graphs unless the query picks graphs
        with FROM (``union``: what :func:`kg.query.policy.check_offline` found; None: ask it).
        ``native``: SELECT rows keep pyoxigraph's terms (the writers of :mod:`kg.query.formats`
        take them; making rdflib terms was most of an endpoint answer's time); ``"json"``: a
        SELECT answer of at most ``max_rows`` rows is written by Oxigraph as SPARQL JSON
        (``QueryResult.json``; no Python object per term), a longer one is run again and cut as
        with ``True``."""
        import pyoxigraph as ox

        from kg.store.terms import from_ox

        deadline = _Deadline(timeout)
        if union is None:
            from kg.query.policy import shape

            union = not shape(text).dataset
        try:
            res = self.store.query(text, prefixes=_PREFIX_STR, use_default_graph_as_union=union)
        except SyntaxError as e:
            raise (rdflib_syntax_check(text) or syntax_error(text, str(e.args[0] if e.args else e))) from None
        except (ValueError, RuntimeError) as e:
            raise QueryError(f"Invalid query: {e}") from None
        try:
            if isinstance(res, ox.QueryBoolean):
                return QueryResult("ask", boolean=bool(res))
            if isinstance(res, ox.QuerySolutions):
                names = [v.value for v in res.variables]
                if native == "json":
                    written = _json_within(res, max_rows)
                    if written is not None:
                        return QueryResult("select", vars=names, json=written[0], json_rows=written[1])
                    # over max_rows: the solutions are spent, run it again and keep max_rows of them
                    res = self.store.query(text, prefixes=_PREFIX_STR, use_default_graph_as_union=union)
                if native:
                    rows = (tuple(sol) for sol in res)
                else:
                    rows = (tuple(from_ox(sol[i]) for i in range(len(names))) for sol in res)
                return _select_result(names, rows, max_rows, deadline)
            triples = []
            out = QueryResult("graph", triples=triples)
            for t in res:
                if max_rows is not None and len(triples) >= max_rows:
                    out.truncated = True
                    break
                triples.append((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
                if len(triples) % 256 == 0:
                    deadline.check()
            return out
        except OSError as e:
            raise QueryError(f"the query failed while reading the store: {e}") from None
        except (ValueError, RuntimeError) as e:
            raise QueryError(f"the query failed: {e}") from None


class RdflibEngine:
    name = "rdflib"

    def __init__(self, graph):
        self.graph = graph

    def is_local_graph(self, iri: str) -> bool:
        from rdflib import URIRef

        contexts = getattr(self.graph, "contexts", None)
        if contexts is None or not hasattr(self.graph, "get_context"):
            return False
        return any(c.identifier == URIRef(iri) for c in contexts())

    def execute(self, text: str, max_rows: int | None = None, timeout: float | None = None,
                union: bool | None = None, native: bool = False) -> QueryResult:
        from pyparsing import ParseBaseException

        deadline = _Deadline(timeout)
        try:
            res = self.graph.query(text, initNs=PREFIXES)
        except ParseBaseException as e:
            raise syntax_error(text, e.msg, e.lineno, e.col) from None
        except Exception as e:  # noqa: BLE001 - rdflib raises plain Exceptions for unknown prefixes etc.
            from kg.query.diagnose import explain

            raise QueryError(explain(text) or f"Invalid query: {e}") from None
        try:
            if res.type == "ASK":
                return QueryResult("ask", boolean=bool(res.askAnswer))
            if res.type == "SELECT":
                names = [str(v) for v in res.vars]
                return _select_result(names, (tuple(row) for row in res), max_rows, deadline)
            triples = list(res.graph) if res.graph is not None else list(res)
            out = QueryResult("graph", triples=triples[:max_rows] if max_rows is not None else triples)
            out.truncated = max_rows is not None and len(triples) > max_rows
            return out
        except QueryError:
            raise
        except Exception as e:  # noqa: BLE001 - evaluation errors (type errors, unknown functions)
            raise QueryError(f"the query failed: {e}") from None


def engine_for(graph):
    """An engine for an rdflib Graph, a pyoxigraph Store, an engine, or a file/store path."""
    if isinstance(graph, (OxigraphEngine, RdflibEngine)):
        return graph
    import pyoxigraph as ox

    if isinstance(graph, ox.Store):
        return OxigraphEngine(graph)
    from rdflib import Graph

    if isinstance(graph, Graph):
        return RdflibEngine(graph)
    from pathlib import Path

    if isinstance(graph, (str, Path)):
        from kg.store import open_source

        return OxigraphEngine(open_source(graph))
    raise TypeError(f"cannot query {type(graph).__name__}: pass an rdflib Graph, a pyoxigraph Store or a path")


class _TooMany(Exception):
    """More solutions than the row cap: Oxigraph's JSON writer is stopped."""


class _CappedWriter:
    """Where ``QuerySolutions.serialize`` writes SPARQL JSON: keeps the bytes, and stops the writer
    (``_TooMany``) once the text may hold more than ``limit`` solutions. Solutions are separated
    by ``},{``; counted in the raw text (a literal may contain it too), the count is an upper
    bound, so the cap is never passed and a text that is within it is never cut."""

    def __init__(self, limit: int | None):
        self.parts: list[bytes] = []
        self.limit, self.seps, self.tail = limit, 0, b""

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        self.seps += (self.tail + chunk).count(b"},{")  # also one split between two chunks
        self.tail = (self.tail + chunk)[-2:]
        self.parts.append(chunk)
        if self.limit is not None and self.seps + 1 > self.limit:
            raise _TooMany
        return len(chunk)

    def flush(self) -> None:
        pass


# a solution after the first one starts with '},{"' and a variable name; a string value may end
# in '},{' before its closing quote, but then ',' or '}' follows the quote, never a name
_NEXT_SOLUTION = re.compile(rb'\},\{"[^,}]')


def _json_within(solutions, max_rows: int | None) -> tuple[bytes, int] | None:
    """``(SPARQL JSON, rows)`` of pyoxigraph solutions written by Oxigraph, or None when there are
    more than ``max_rows`` of them (the solutions are then partly consumed)."""
    import pyoxigraph as ox

    out = _CappedWriter(max_rows)
    try:
        solutions.serialize(out, format=ox.QueryResultsFormat.JSON)
    except _TooMany:
        return None
    data = b"".join(out.parts)
    if data.endswith(b'"bindings":[]}}'):
        return data, 0
    if b"},{}" in data:  # an empty solution (or a literal that looks like one): count properly
        import json

        return data, len(json.loads(data)["results"]["bindings"])
    return data, 1 + len(_NEXT_SOLUTION.findall(data))


def _select_result(names, rows, max_rows, deadline) -> QueryResult:
    """Collect SELECT rows up to ``max_rows`` (then mark the result truncated), checking the
    deadline every 256 rows; the same for both engines."""
    out = QueryResult("select", vars=names, rows=[])
    for row in rows:
        if max_rows is not None and len(out.rows) >= max_rows:
            out.truncated = True
            break
        out.rows.append(row)
        if len(out.rows) % 256 == 0:
            deadline.check()
    return out
