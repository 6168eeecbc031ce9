"""Issue 13 item 4: content negotiation of kg serve, with SPARQLWrapper's defaults and by Accept.

CONSTRUCT/DESCRIBE answer RDF/XML, JSON-LD, Turtle or N-Triples by ``Accept``; SELECT/ASK the
SPARQL results formats; ``406`` only when nothing acceptable fits the query form.
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph

PERSON = "<https://w3id.org/platform-kg/ontology#Person>"
QUERIES = {
    "SELECT": f"SELECT ?l WHERE {{ ?p a {PERSON} ; rdfs:label ?l }}",
    "ASK": f"ASK {{ ?p a {PERSON} }}",
    "CONSTRUCT": f"CONSTRUCT {{ ?p a {PERSON} }} WHERE {{ ?p a {PERSON} }}",
    "DESCRIBE": f"DESCRIBE ?p WHERE {{ ?p a {PERSON} }}",
}


@pytest.fixture(scope="module")
def endpoint(sample_graph_path):
    from tests_support import serving

    with serving(sample_graph_path, workers=1, timeout=10.0) as url:
        yield url


@pytest.mark.parametrize("form", sorted(QUERIES))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_defaults_every_form(endpoint, form, method):
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper(endpoint + "/sparql")
    sw.setQuery(QUERIES[form])
    sw.setMethod(method)
    out = sw.query().convert()  # the default return format: XML
    if form == "SELECT":
        assert "Conan" in out.toxml()
    elif form == "ASK":
        assert "true" in out.toxml()
    else:
        assert isinstance(out, Graph) and any("person/conan" in str(s) for s in out.subjects())


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
@pytest.mark.parametrize("fmt", ["XML", "RDFXML", "TURTLE", "N3", "JSONLD", "JSON"])
def test_sparqlwrapper_graph_formats(endpoint, form, fmt):
    import SPARQLWrapper as S

    sw = S.SPARQLWrapper(endpoint + "/sparql")
    sw.setQuery(QUERIES[form])
    sw.setReturnFormat(getattr(S, fmt))
    out = sw.query().convert()
    g = out if isinstance(out, Graph) else None
    if g is None:
        text = out.decode() if isinstance(out, bytes) else json.dumps(out)
        assert "person/conan" in text
    else:
        assert any("person/conan" in str(s) for s in g.subjects())


def _get(endpoint, query, accept):
    req = urllib.request.Request(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


@pytest.mark.parametrize("accept, ctype, fmt", [
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("text/html, application/ld+json;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
    ("*/*", "text/turtle", "turtle"),
])
def test_graph_answers_by_accept(endpoint, accept, ctype, fmt):
    status, got, body = _get(endpoint, QUERIES["CONSTRUCT"], accept)
    assert status == 200 and got.startswith(ctype)
    g = Graph().parse(data=body.decode(), format=fmt)
    assert len(g) == 1


@pytest.mark.parametrize("form, accept", [("CONSTRUCT", "application/sparql-results+json"),
                                          ("SELECT", "text/turtle"), ("SELECT", "image/png"),
                                          ("CONSTRUCT", "text/html")])
def test_406_only_when_nothing_fits(endpoint, form, accept):
    status, ctype, body = _get(endpoint, QUERIES[form], accept)
    assert status == 406 and ctype.startswith("text/plain") and b"acceptable" in body
