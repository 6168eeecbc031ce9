"""SPARQL text handling that must not depend on an engine: a tokenizer (for editing a query's
text; the offline policy is decided on the parsed query, see :mod:`kg.query.policy`), binding
parameters as a ``VALUES`` block built from RDF terms, and turning an engine's syntax error into a
message with line, column and the offending token.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Literal, URIRef

from kg.errors import ParameterError, QueryError

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<pname>(?:[^\W\d_][\w\-.]*)?:(?:[\w\-:%]|\\[^\s]|\.(?=[\w\-:%]))*)
  | (?P<bnode>_:[\w\-.]+)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[^\W\d][\w]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{}()\[\];,.*+/|^!=<>?@-])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LANG = re.compile(r"^[A-Za-z]+(?:-[A-Za-z0-9]+)*$")
_IRI_OK = re.compile(r'^[^<>"{}|^`\\\x00-\x20]*$')


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    return list(_tokens(text))


@lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    """(cached: a query is tokenized several times on its way, and kg serve sees the same texts
    again and again; about 1.5 ms for a long preset)"""
    return tuple(Token(m.lastgroup, m.group(), m.start()) for m in _TOKEN.finditer(text)
                 if m.lastgroup not in ("ws", "comment"))


def line_col(text: str, pos: int) -> tuple[int, int]:
    line = text.count("\n", 0, pos) + 1
    col = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return line, col


# ---------------------------------------------------------------- binding values


def _is_kw(tok: Token, word: str) -> bool:
    return tok.kind == "word" and tok.text.upper() == word


def sparql_term(term) -> str:
    """An RDF term in SPARQL syntax, escaped so that no value can leave its term."""
    if isinstance(term, URIRef):
        s = str(term)
        if not _IRI_OK.match(s):
            raise ParameterError(f"{s!r} is not a valid IRI (spaces, quotes or <>{{}}|^`\\ are not allowed)")
        return f"<{s}>"
    if isinstance(term, Literal):
        lex = str(term)
        esc = (lex.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
        out = f'"{esc}"'
        if term.language:
            if not _LANG.match(term.language):
                raise ParameterError(f"{term.language!r} is not a valid language tag")
            return out + "@" + term.language
        if term.datatype is not None:
            return out + "^^" + sparql_term(URIRef(term.datatype))
        return out
    if isinstance(term, BNode):
        raise ParameterError("a blank node cannot be passed as a parameter; use an IRI or a label")
    raise ParameterError(f"cannot bind {term!r}: not an RDF term")


def where_brace(tokens: list[Token]) -> Token | None:
    """The opening brace of the query's top-level WHERE group (None for an update or no group)."""
    depth_paren = 0
    i = 0
    n = len(tokens)
    form = None
    while i < n:
        t = tokens[i]
        if form is None:
            for kw in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
                if _is_kw(t, kw):
                    form = kw
            if form == "CONSTRUCT" and i + 1 < n and tokens[i + 1].text == "{":
                # skip the template
                depth, i = 0, i + 1
                while i < n:
                    if tokens[i].text == "{":
                        depth += 1
                    elif tokens[i].text == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    i += 1
            i += 1
            continue
        if t.text == "(":
            depth_paren += 1
        elif t.text == ")":
            depth_paren -= 1
        elif t.text == "{" and depth_paren == 0:
            return t
        i += 1
    return None


def query_variables(tokens: list[Token]) -> set[str]:
    return {t.text[1:] for t in tokens if t.kind == "var"}


def bind_values(text: str, bindings: dict) -> str:
    """Bind ``{var: RDF term}`` as ``VALUES`` blocks: one opening the top-level WHERE group, and
    one opening every other group (UNION branch, OPTIONAL, sub-SELECT...) that uses the variable.

    A parameter is one constant for the whole query, as in a prepared statement. SPARQL evaluates
    groups bottom-up, so a block only in the outer group would reach neither a ``FILTER`` inside a
    UNION branch nor a sub-SELECT (a paged sub-SELECT would pick its page among every value). The
    blocks are built from RDF terms (:func:`sparql_term` escapes them), never from raw user text,
    and they join first, so the engines start from the bound values. This is exactly what
    :func:`inline_values` writes in place, so both forms give the same answers.
    """
    if not bindings:
        return text
    tokens = tokenize(text)
    names = query_variables(tokens)
    for var in bindings:
        if not _VAR_NAME.match(var):
            raise ParameterError(f"{var!r} is not a valid parameter name (letters, digits and _)")
        if var not in names:
            raise ParameterError(f"the query has no variable ?{var} to bind parameter {var!r} to")
    brace = where_brace(tokens)
    if brace is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    outer = tokens.index(brace)
    inserts = [(brace.pos, bindings)]
    for start, used in _groups_using(tokens, outer):
        inner = {v: t for v, t in bindings.items() if v in used}
        if inner and start != outer:
            inserts.append((tokens[start].pos, inner))
    out = text
    for pos, bound in sorted(inserts, key=lambda x: x[0], reverse=True):
        out = _prepend_values(out, pos, bound)
    return out


def _groups_using(tokens: list[Token], outer: int) -> list[tuple[int, set[str]]]:
    """(index of ``{``, variables used directly in it) for every group graph pattern inside the
    group opened at ``tokens[outer]`` (itself included); a ``{ SELECT ... }`` wrapper and the data
    block of ``VALUES`` are not groups a VALUES block may open."""
    out, stack = [], []
    end = min(_group_end(tokens, outer), len(tokens) - 1)  # unbalanced: the engine reports it
    data = False  # inside a VALUES data block
    after_values = False
    for i in range(outer, end + 1):
        t = tokens[i]
        if _is_kw(t, "VALUES"):
            after_values = True
        if t.text == "{":
            if after_values:
                data, after_values = True, False
                continue
            wrapper = i + 1 < len(tokens) and _is_kw(tokens[i + 1], "SELECT")
            stack.append((i, set(), wrapper))
        elif t.text == "}":
            if data:
                data = False
                continue
            if not stack:
                break
            start, used, wrapper = stack.pop()
            if not wrapper:
                out.append((start, used))
        elif t.kind == "var" and stack and not data and not after_values:
            stack[-1][1].add(t.text[1:])
    return out


def _select_body(tokens: list[Token], select: int) -> int | None:
    """Index of the ``{`` opening the WHERE group of the SELECT at ``tokens[select]`` (the first
    brace outside its projection's parentheses)."""
    depth = 0
    for j in range(select + 1, len(tokens)):
        t = tokens[j].text
        if t == "(":
            depth += 1
        elif t == ")":
            depth -= 1
        elif t == "{" and depth == 0:
            return j
    return None


def _is_count(tok: Token) -> bool:
    return tok.kind == "number" and tok.text.isdigit()


def _limit_clauses(tokens: list[Token]) -> list[int]:
    """Indexes of the ``LIMIT n`` keywords of a query, nested ones included."""
    return [i for i, t in enumerate(tokens[:-1]) if _is_kw(t, "LIMIT") and _is_count(tokens[i + 1])]


def set_page(text: str, limit: int | None = None, offset: int | None = None) -> str:
    """The query with its page set: ``LIMIT limit`` and ``OFFSET offset``.

    The page is the query's one ``LIMIT`` clause, wherever it is: the presets that can return many
    rows pick their page in a sub-SELECT (sorted and cut before the details of each row are looked
    up), the others at the end. A query without LIMIT gets one at the end; a query with several is
    refused (which one is the page is the author's call). Only integers we format go into the text.
    """
    if limit is None and offset is None:
        return text
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ParameterError(f"--{name} must be a whole number >= 0, not {value!r}")
    tokens = tokenize(text)
    limits = _limit_clauses(tokens)
    if len(limits) > 1:
        lines = ", ".join(str(line_col(text, tokens[i].pos)[0]) for i in limits)
        raise QueryError(f"the query has {len(limits)} LIMIT clauses (lines {lines}): edit the one that "
                         "picks the page instead of using --limit/--offset")
    edits = []  # (start, end, replacement)
    if not limits:
        if offset is not None:
            old = [i for i, t in enumerate(tokens[:-1]) if _is_kw(t, "OFFSET")]
            if old:
                raise QueryError("the query has OFFSET but no LIMIT: edit its OFFSET instead of using --offset")
        clause = (f" LIMIT {limit}" if limit is not None else "") + (f" OFFSET {offset}" if offset else "")
        return text.rstrip() + "\n" + clause.strip() + "\n"  # on its own line: the text may end in a comment
    i = limits[0]
    number = tokens[i + 1]
    if limit is not None:
        edits.append((number.pos, number.pos + len(number.text), str(limit)))
    # an OFFSET right before or after the LIMIT belongs to the same page
    around = [j for j in (i - 2, i + 2) if 0 <= j < len(tokens) - 1 and _is_kw(tokens[j], "OFFSET")
              and _is_count(tokens[j + 1])]
    if offset is not None:
        if around:
            n = tokens[around[0] + 1]
            edits.append((n.pos, n.pos + len(n.text), str(offset)))
        else:
            end = number.pos + len(number.text)
            edits.append((end, end, f" OFFSET {offset}"))
    out = text
    for start, end, rep in sorted(edits, reverse=True):
        out = out[:start] + rep + out[end:]
    return out


@lru_cache(maxsize=256)
def page_size(text: str) -> int | None:
    """The number of the query's one LIMIT clause (None: no LIMIT, or several). Cached like the
    tokens: finding the LIMIT keywords among a preset's ~700 tokens was 0.05-0.1 ms of each of
    kg serve's answers."""
    tokens = tokenize(text)
    limits = _limit_clauses(tokens)
    return int(tokens[limits[0] + 1].text) if len(limits) == 1 else None


# ---------------------------------------------------------------- errors

_POS = re.compile(r"(?:error at |line )(\d+)[:, ]+(?:column )?(\d+)")


def syntax_error(text: str, engine_message: str, line: int | None = None, col: int | None = None) -> QueryError:
    """A QueryError for invalid SPARQL: line, column, the offending token and what was expected, in words.

    A common mistake found by :func:`kg.query.diagnose.explain` is reported as such (the engines'
    positions for those are often the start of the enclosing group); otherwise the engine's own
    position, with its expectation put in words by :func:`kg.query.diagnose.in_words`.
    """
    from kg.query.diagnose import explain, in_words

    found = explain(text)
    if found:
        return QueryError(found)
    if line is None:
        m = _POS.search(engine_message)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
    reason = _POS.sub("", engine_message).strip(" :,") or "syntax error"
    reason = in_words(re.sub(r"^error\s*:?\s*", "", reason).splitlines()[0])
    if line is None:
        return QueryError(f"Invalid SPARQL: {reason}")
    lines = text.split("\n")
    token = ""
    if 1 <= line <= len(lines):
        rest = lines[line - 1][max(col - 1, 0):]
        toks = tokenize(rest)
        token = toks[0].text if toks else ""
    near = f" at {token!r}" if token else " at end of query"
    return QueryError(f"Invalid SPARQL at line {line}, column {col}{near}: {reason}")


# ---------------------------------------------------------------- inlining bound values (Oxigraph)


def _group_end(tokens: list[Token], start: int) -> int:
    """Index of the ``}`` closing the group opened at ``tokens[start]``."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].text == "{":
            depth += 1
        elif tokens[i].text == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(tokens)


_AGGREGATES = {"GROUP", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}


def inline_values(text: str, bindings: dict) -> str | None:
    """:func:`bind_values` plus each bound variable written as its term inside the WHERE groups.

    Oxigraph plans the inside of ``UNION``, ``OPTIONAL`` and ``EXISTS`` without knowing that an
    outer ``VALUES`` variable is bound, so there it may start from a whole predicate instead of the
    bound entity. With the term written in place, the planner sees a constant. The ``VALUES`` block
    stays, so projected parameters are still bound. The terms come from :func:`sparql_term` (the
    same escaping as the VALUES block). A parameter is one value for the whole query, nested
    SELECTs included (as in :func:`bind_values`); a nested SELECT that projects it projects
    ``(term AS ?var)``. Returns None where inlining could change the meaning (MINUS: it compares
    shared variables) or the syntax (a variable in a nested SELECT's projected expressions or
    solution modifiers, after ``AS``, in ``BOUND()`` or in a ``VALUES`` header), so the caller
    keeps the VALUES form.
    """
    if not bindings:
        return text
    tokens = tokenize(text)
    brace = where_brace(tokens)
    if brace is None:
        return None
    start = tokens.index(brace)
    end = _group_end(tokens, start)
    terms = {v: sparql_term(t) for v, t in bindings.items()}
    # nested SELECTs: a bound variable projected as is becomes ``(term AS ?var)``; in a projected
    # expression or in the solution modifiers a term cannot stand, so those are refused
    projected, modifiers = set(), set()
    for i in range(start + 1, end):
        if _is_kw(tokens[i], "SELECT"):
            body = _select_body(tokens, i) if tokens[i - 1].text == "{" else None
            if body is None:
                return None
            after = range(_group_end(tokens, body) + 1, _group_end(tokens, i - 1))
            # in an aggregate query a projected constant is not a group key: refuse there
            grouped = any(tokens[j].kind == "word" and tokens[j].text.upper() in _AGGREGATES
                          for j in (*range(i + 1, body), *after))
            depth = 0
            for j in range(i + 1, body):
                depth += {"(": 1, ")": -1}.get(tokens[j].text, 0)
                if tokens[j].kind == "var":
                    (projected if depth == 0 and not grouped else modifiers).add(j)
            modifiers.update(after)
    edits = []
    in_values_header = False
    for i in range(start + 1, end):
        t = tokens[i]
        if _is_kw(t, "MINUS"):
            return None
        if _is_kw(t, "VALUES"):
            in_values_header = True
        elif t.text == "{":
            in_values_header = False
        if t.kind != "var" or t.text[1:] not in terms:
            continue
        prev = tokens[i - 1]
        if i in projected:
            edits.append((t.pos, len(t.text), f"({terms[t.text[1:]]} AS {t.text})"))
            continue
        if (i in modifiers or in_values_header or _is_kw(prev, "AS")
                or (prev.text == "(" and _is_kw(tokens[i - 2], "BOUND"))):
            return None
        edits.append((t.pos, len(t.text), terms[t.text[1:]]))
    out = text
    for pos, n, term in reversed(edits):
        out = out[:pos] + term + out[pos + n:]
    return _prepend_values(out, brace.pos, bindings)


def _prepend_values(text: str, brace_pos: int, bindings: dict) -> str:
    vars_ = " ".join(f"?{v}" for v in bindings)
    vals = " ".join(sparql_term(t) for t in bindings.values())
    at = brace_pos + 1
    return text[:at] + f" VALUES ({vars_}) {{ ({vals}) }} " + text[at:]
