"""The offline policy against Oxigraph itself: whenever Oxigraph would call a SERVICE, the policy
(rdflib's parse) must have refused the text first.

Oxigraph refuses HTTP to port 1 before opening any connection, so ``SERVICE <http://127.0.0.1:1/>``
is an offline oracle: the error "port 1 is not allowed" means Oxigraph parsed a live SERVICE.
Hypothesis mixes the fragments that confuse tokenizers (quotes, ``<`` / ``>``, comments ended by CR
or LF, escapes, long strings) around such a SERVICE.
"""
from __future__ import annotations

import pyoxigraph as ox
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kg.errors import QueryError
from kg.query.policy import check_offline

SERVICE = "SERVICE <http://127.0.0.1:1/> { ?s ?p ?o }"
FRAGMENTS = ["# c\r", "# c\n", "'", '"', "'''", '"""', "<", ">", "#", "\r", "\n", "\r\n", " ", "\\u0027", "\\u0022",
             "\\u000A",
             "\\u000D", "\\u003C", "\\", "{", "}", "(", ")", ".", "?x", "<http://a/>", "'>'", "FILTER(0<1&&'>'!='x')",
             "FILTER(?x < 1 && ?y > 2)", "BIND('#' AS ?h)", "OPTIONAL {", "SERVIC\\u0045", "service", SERVICE, SERVICE]
STORE = ox.Store()


def _oxigraph_calls_service(text: str) -> bool:
    try:
        res = STORE.query(text)
        if isinstance(res, ox.QuerySolutions):
            list(res)
    except OSError as e:
        return "port 1" in str(e)
    except (SyntaxError, ValueError, RuntimeError):
        return False
    return False


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8))
@example(["# c\r", SERVICE])  # Oxigraph ends a comment at CR, rdflib only at LF
@example(["FILTER(0<1&&'>'!='x')", SERVICE])  # issue 12's case
def test_whenever_oxigraph_would_call_a_service_the_policy_refused(parts):
    text = "SELECT * WHERE {\n" + " ".join(parts) + "\n}"
    if _oxigraph_calls_service(text):
        try:
            check_offline(text)
        except QueryError:
            return
        raise AssertionError(f"Oxigraph calls SERVICE but the policy allowed: {text!r}")


def test_the_oracle_sees_a_plain_service():
    assert _oxigraph_calls_service("SELECT * WHERE { " + SERVICE + " }")
