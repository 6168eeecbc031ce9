"""Run SPARQL over a graph: presets, parameters bound as values, the offline policy.

    import kg
    g = kg.load_graph("out/graph.ttl")
    res = kg.query(g, "SELECT ?p WHERE { ?p a pkg:Person }")
    res = kg.query(g, kg.query_preset("partners-of").text, params={"org": "小红书"})
    for row in res.dicts(): ...

``graph`` may be an rdflib Graph, a pyoxigraph Store, or the path of a graph file / store directory.
"""
from __future__ import annotations

from kg.errors import QueryError
from kg.query.engine import OxigraphEngine, QueryResult, RdflibEngine, engine_for
from kg.query.presets import Preset, get_preset, parse_header, presets
from kg.query.policy import check_offline
from kg.query.sparql import bind_values, page_size, set_page

__all__ = [
    "OxigraphEngine",
    "Preset",
    "QueryResult",
    "RdflibEngine",
    "engine_for",
    "get_preset",
    "presets",
    "query",
    "run_preset",
]


def query(graph, sparql: str, params: dict | None = None, *, limit: int | None = None,
          offset: int | None = None, max_rows: int | None = None, timeout: float | None = None,
          what: str = "the query", native_terms: bool | str = False) -> QueryResult:
    """Run one SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) and return a :class:`QueryResult`.

    ``params`` maps variable names to text (labels, aliases, IRIs, dates...); they are resolved
    according to the query's ``# param:`` header (see :mod:`kg.query.presets`) and bound as RDF
    terms in a VALUES block, never pasted into the query text. ``limit`` / ``offset`` set the page:
    the query's one LIMIT clause (the presets that can return many rows pick a page of 100 in a
    sub-SELECT), or a LIMIT added at the end (see :func:`kg.query.sparql.set_page`); ``max_rows``
    is a hard cap on the rows collected (the result is then marked truncated); ``native_terms``: SELECT
    rows may keep the engine's own terms (for :mod:`kg.query.formats` writers, not for Python use);
    ``"json"``: Oxigraph writes a SELECT answer as SPARQL JSON itself (``QueryResult.json``).
    Raises :class:`kg.errors.QueryError`
    for invalid or refused queries and :class:`kg.errors.ParameterError` for bad parameters.
    """
    from kg.query.params import resolve

    engine = engine_for(graph)
    # decided on the parsed text as written (bound values are RDF terms we wrote)
    union = not check_offline(sparql, engine.is_local_graph).dataset
    original = sparql
    sparql = set_page(sparql, limit, offset)
    header = parse_header(sparql, what)
    bindings, warnings = resolve(engine, header, params, what)
    text = bind_values(sparql, bindings)
    result = None
    if isinstance(engine, OxigraphEngine) and bindings:
        # Oxigraph plans OPTIONAL / UNION / EXISTS groups without knowing VALUES-bound variables:
        # give it the bound terms in place (same terms, same answers; falls back to VALUES)
        from kg.query.sparql import inline_values

        inlined = inline_values(sparql, bindings)
        if inlined is not None:
            try:
                result = engine.execute(inlined, max_rows=max_rows, timeout=timeout, union=union, native=native_terms)
            except QueryError as e:
                if not str(e).startswith("Invalid"):  # only a syntax problem falls back
                    raise
                result = None
    if result is None:
        try:
            result = engine.execute(text, max_rows=max_rows, timeout=timeout, union=union, native=native_terms)
        except QueryError as e:
            if text != original and str(e).startswith("Invalid SPARQL"):
                # report the line and column in the text the user wrote, not in the bound one
                from kg.query.engine import rdflib_syntax_check

                raise (rdflib_syntax_check(original) or e) from None
            raise
    result.warnings = warnings + result.warnings
    page = page_size(sparql)
    if result.kind == "select" and page and len(result) >= page and not result.truncated:
        done = (offset or 0) + page
        result.warnings.append(f"{len(result)} rows, a full page of {page}: there may be more "
                               f"(next page: offset {done}, e.g. kg query ... --offset {done})")
    return result


def run_preset(graph, name: str, params: dict | None = None, **kwargs) -> QueryResult:
    """Run a shipped preset by name (see ``kg query --list``)."""
    preset = get_preset(name)
    return query(graph, preset.text, params, what=f"preset {name!r}", **kwargs)


# ``kg.query`` is both this package and the public function ``kg.query(graph, sparql, params)``:
# once the package is imported, Python binds the attribute ``kg.query`` to the module, so the
# module itself forwards calls to :func:`query`.
def _make_callable() -> None:
    import sys
    import types

    class _CallableModule(types.ModuleType):
        def __call__(self, *args, **kwargs):
            return query(*args, **kwargs)

    sys.modules[__name__].__class__ = _CallableModule


_make_callable()
