"""Explaining an invalid SPARQL text in words: where it goes wrong and what was expected there.

The parsers' own messages are grammar dumps (pyparsing: ``Expected SelectQuery`` at the start of the
group that failed; Oxigraph: ``expected one of Prefix not found, ['%'], ...``). Most mistakes people
make are a few kinds that a token scan finds exactly: a prefix nobody declared, a bracket or quote
left open or closed twice, an operator with nothing after it, a misspelt query form. :func:`explain`
looks for those first; :func:`in_words` turns the parsers' grammar names into words for the rest.
"""
from __future__ import annotations

import re

from kg.query.sparql import Token, line_col, tokenize

_OPEN = {"(": ")", "{": "}", "[": "]"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
_BINARY = {"=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "*", "/"}
_GRAMMAR_WORDS = {
    "SelectQuery": "the rest of a SELECT query: variables or *, then a WHERE { ... } group",
    "ConstructQuery": "the rest of a CONSTRUCT query: a { template }, then a WHERE { ... } group",
    "DescribeQuery": "the rest of a DESCRIBE query: IRIs or variables, then an optional WHERE group",
    "AskQuery": "the rest of an ASK query: a WHERE { ... } group",
    "{SelectQuery | ConstructQuery | DescribeQuery | AskQuery}": "a query form: SELECT, CONSTRUCT, DESCRIBE or ASK",
}


def _pos(text: str, tok: Token) -> str:
    line, col = line_col(text, tok.pos)
    return f"line {line}, column {col}"


def _at(text: str, tok: Token | None) -> str:
    """Where, in the form of :func:`kg.query.sparql.syntax_error`: ``at line 1, column 8 at 'FILTR'``."""
    if tok is None:
        line, col = line_col(text, len(text.rstrip()))
        return f"at line {line}, column {col} at end of query"
    return f"at {_pos(text, tok)} at {tok.text!r}"


def _declared_prefixes(tokens: list[Token]) -> set[str]:
    out = set()
    for i, t in enumerate(tokens[:-1]):
        if t.kind == "word" and t.text.upper() == "PREFIX" and tokens[i + 1].kind == "pname":
            out.add(tokens[i + 1].text.split(":", 1)[0])
    return out


def _undeclared_prefix(text: str, tokens: list[Token], predeclared: list[str]) -> str | None:
    known = predeclared + sorted(_declared_prefixes(tokens) - set(predeclared))
    declared = set(known)
    for i, t in enumerate(tokens):
        if t.kind != "pname" or (i and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX"):
            continue
        prefix = t.text.split(":", 1)[0]
        if prefix not in declared:
            return (f"Invalid SPARQL {_at(text, t)}: the prefix '{prefix}:' is not declared; "
                    f"use one of {', '.join(p + ':' for p in known)} or add PREFIX {prefix}: <...>")
    return None


def _brackets(text: str, tokens: list[Token]) -> str | None:
    stack: list[Token] = []
    for t in tokens:
        if t.kind != "punct":
            continue
        if t.text in _OPEN:
            stack.append(t)
        elif t.text in _CLOSE:
            if not stack:
                return f"Invalid SPARQL {_at(text, t)}: {t.text!r} closes nothing; remove it or add the {_CLOSE[t.text]!r} it belongs to"
            top = stack.pop()
            if top.text != _CLOSE[t.text]:
                return (f"Invalid SPARQL {_at(text, t)}: expected {_OPEN[top.text]!r} to close the {top.text!r} "
                        f"at {_pos(text, top)}")
    if stack:
        top = stack[-1]
        return f"Invalid SPARQL {_at(text, None)}: the {top.text!r} at {_pos(text, top)} is never closed; expected {_OPEN[top.text]!r}"
    return None


def _open_string(text: str, tokens: list[Token]) -> str | None:
    for t in tokens:
        if t.kind == "other" and t.text in "'\"":
            return f"Invalid SPARQL {_at(text, t)}: the string starting with {t.text} is never closed on its line; expected a closing {t.text}"
    return None


def _missing_operand(text: str, tokens: list[Token]) -> str | None:
    for i, t in enumerate(tokens):
        if t.kind == "punct" and t.text in _BINARY and t.text != "*":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or (nxt.kind == "punct" and nxt.text in (")", "}", ",", ";", ".")):
                return f"Invalid SPARQL {_at(text, nxt)}: expected an expression after {t.text!r}"
    return None


def _short_triple(text: str, tokens: list[Token]) -> str | None:
    """``{ ?s ?p }``: a subject and a predicate, then the pattern ends."""
    term = ("var", "iri", "pname")
    for i in range(1, len(tokens) - 2):
        before, s, p, after = tokens[i - 1], tokens[i], tokens[i + 1], tokens[i + 2]
        if (before.text in ("{", ".") and s.kind in term and (p.kind in term or p.text == "a")
                and after.text in ("}", ".")):
            return f"Invalid SPARQL {_at(text, after)}: expected an object after {s.text} {p.text}"
    return None


def _query_form(text: str, tokens: list[Token]) -> str | None:
    i = 0
    while i < len(tokens) and tokens[i].kind == "word" and tokens[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if tokens[i].text.upper() == "PREFIX" else 2
    if i < len(tokens) and tokens[i].kind == "word" and tokens[i].text.upper() not in _FORMS:
        return (f"Invalid SPARQL {_at(text, tokens[i])}: expected SELECT, CONSTRUCT, DESCRIBE or ASK, "
                f"found {tokens[i].text!r}")
    return None


def explain(text: str) -> str | None:
    """A one-line explanation of a common mistake in ``text``, or None if none of them is there."""
    from kg.rdf.namespace import PREFIXES

    tokens = tokenize(text)
    for check in (_open_string, _brackets, _query_form, _missing_operand, _short_triple):
        found = check(text, tokens)
        if found:
            return found
    return _undeclared_prefix(text, tokens, list(PREFIXES))


def in_words(reason: str) -> str:
    """A parser's expectation in words: ``Expected SelectQuery`` -> ``expected the rest of a SELECT ...``."""
    m = re.match(r"^Expected (.+?)(?:,\s*found.*)?$", reason.strip())
    if m and m.group(1) in _GRAMMAR_WORDS:
        return "expected " + _GRAMMAR_WORDS[m.group(1)]
    if reason.startswith("expected one of "):  # Oxigraph's list: keep the quoted tokens and keywords
        items = [x.strip() for x in reason[len("expected one of "):].split(",")]
        words = [x.strip('"') for x in items if re.fullmatch(r'"[^"]+"|[A-Z][A-Za-z]+', x)]
        if words:
            return "expected one of " + ", ".join(words)
    return reason
