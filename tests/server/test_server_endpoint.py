"""kg serve: SPARQL 1.1 Protocol with real clients, read-only, timeout, row cap, the page."""
from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.errors import EndpointError
from kg.server import make_server
from kg.server.app import form_fields

PARTNERS = open(__import__("kg.query.presets", fromlist=["x"]).PRESET_DIR / "partners-of.rq", encoding="utf-8").read()


@pytest.fixture(scope="module")
def endpoint(sample_graph_path):
    from tests_support import serving

    with serving(sample_graph_path, workers=2, timeout=2.0, max_rows=5) as url:
        yield url


def _req(url, data=None, method=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8")


def test_sparqlwrapper_partners_of_xiaohongshu(endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    sw = SPARQLWrapper(endpoint + "/sparql")
    sw.setQuery(PARTNERS)
    sw.setMethod(POST)
    sw.addParameter("param.org", "小红书")
    sw.setReturnFormat(JSON)
    res = sw.query().convert()
    rows = res["results"]["bindings"]
    assert {r["partnerLabel"]["value"] for r in rows} == {"Tmall", "JD.com"}
    assert all(r["evidence"]["value"] and r["articleTitle"]["value"] for r in rows)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparqlwrapper_formats_get(endpoint, fmt):
    import SPARQLWrapper as S

    sw = S.SPARQLWrapper(endpoint + "/sparql")
    sw.setQuery("SELECT ?l WHERE { ?p a <https://w3id.org/platform-kg/ontology#Person> ; rdfs:label ?l }")
    sw.setReturnFormat({"json": S.JSON, "xml": S.XML, "csv": S.CSV, "tsv": S.TSV}[fmt])
    out = sw.query().convert()
    text = out.toxml() if fmt == "xml" else (json.dumps(out) if fmt == "json" else out.decode())
    assert "Conan" in text


def test_sparqlwrapper_construct_turtle(endpoint):
    import SPARQLWrapper as S

    sw = S.SPARQLWrapper(endpoint + "/sparql")
    sw.setQuery("CONSTRUCT WHERE { ?p a <https://w3id.org/platform-kg/ontology#Person> }")
    sw.setReturnFormat(S.TURTLE)
    assert b"person/conan" in sw.query().convert()


@pytest.mark.parametrize("accept, ctype", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"), ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_curl_content_negotiation(endpoint, accept, ctype):
    if not shutil.which("curl"):
        pytest.skip("curl not installed")
    out = subprocess.run(["curl", "-sS", "-i", "-H", f"Accept: {accept}", "--data-urlencode",
                          "query=SELECT ?l WHERE { ?p a pkg:Person ; rdfs:label ?l }", endpoint + "/sparql"],
                         capture_output=True, text=True, timeout=30)
    head, _, body = out.stdout.partition("\n\n")
    assert " 200 " in head.splitlines()[0] and f"Content-Type: {ctype}" in head
    assert "Conan" in body


def test_curl_construct_turtle(endpoint):
    if not shutil.which("curl"):
        pytest.skip("curl not installed")
    out = subprocess.run(["curl", "-sS", "-H", "Accept: text/turtle", "-G", "--data-urlencode",
                          "query=DESCRIBE <https://w3id.org/platform-kg/id/person/conan>", endpoint + "/sparql"],
                         capture_output=True, text=True, timeout=30)
    assert "person/conan" in out.stdout


@pytest.mark.parametrize("method, path, data, headers", [
    ("POST", "/sparql", b"update=DROP+ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "/sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"}),
    ("POST", "/sparql", b"query=DROP+ALL", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("GET", "/sparql?update=DROP+ALL", None, {}),
    ("PUT", "/sparql?default", b"<a:a> <a:b> <a:c> .", {"Content-Type": "text/turtle"}),
    ("POST", "/store?default", b"<a:a> <a:b> <a:c> .", {"Content-Type": "text/turtle"}),
    ("POST", "/sparql", b"<a:a> <a:b> <a:c> .", {"Content-Type": "text/turtle"}),
    ("DELETE", "/store?graph=https://w3id.org/platform-kg/id/article/a1", None, {}),
])
def test_read_only(endpoint, method, path, data, headers):
    status, _, _ = _req(endpoint + path, data, method, headers)
    assert status == 403
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    _, _, body = _req(endpoint + "/sparql?" + urllib.parse.urlencode({"query": count, "format": "json"}))
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 100


def test_timeout_stops_cross_product(endpoint):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    status, _, body = _req(endpoint + "/sparql?" + urllib.parse.urlencode({"query": q}))
    assert status == 503 and "time limit" in body
    # the endpoint keeps answering afterwards
    status, _, body = _req(endpoint + "/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_row_cap(endpoint):
    status, headers, body = _req(endpoint + "/sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o }"}), headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == 5
    assert headers["X-KG-Truncated"] == "true" and headers["X-KG-Row-Limit"] == "5"


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <http://example.org/x.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELEC * WHERE { ?s ?p ?o }", "Invalid SPARQL at line 1, column 1"),
])
def test_bad_queries_answer_400(endpoint, query, message):
    status, _, body = _req(endpoint + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 400 and message in body


def test_injection_through_endpoint(endpoint):
    data = urllib.parse.urlencode({"query": PARTNERS, "param.org": 'x" } ; DROP ALL ; #'}).encode()
    status, _, body = _req(endpoint + "/sparql", data, "POST", {"Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"] == []


def test_page_and_presets_offline(endpoint):
    status, headers, html = _req(endpoint + "/")
    assert status == 200 and "<select id=\"preset\">" in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html.replace(
        "https://w3id.org/platform-kg/id/", "")  # no CDN
    _, _, body = _req(endpoint + "/api/presets")
    names = {p["name"] for p in json.loads(body)}
    assert {"partners-of", "people-roles"} <= names


def test_port_in_use(sample_graph_path, endpoint):
    port = int(endpoint.rsplit(":", 1)[1])
    with pytest.raises(EndpointError, match="already in use"):
        make_server(sample_graph_path, port=port)


_FORM_CHARS = st.sampled_from(list("ab =&+%;\\xX09fF") + ["%20", "%26", "%3D", "%2B", "%E4%B8%AD", "%C3", "%zz", "%5C"])


@settings(deadline=None)
@given(text=st.lists(_FORM_CHARS, max_size=40).map("".join))
def test_form_fields_read_as_parse_qs_reads_them(text):
    """The endpoint's own form decoding (fast for queries full of escapes) reads every ASCII body
    as the standard library does: escapes, bad escapes, bad UTF-8, '+', fields without '='."""
    assert form_fields(text) == urllib.parse.parse_qs(text, keep_blank_values=True)


@settings(deadline=None)
@given(text=st.text())
def test_form_fields_read_any_text(text):
    assert isinstance(form_fields(text), dict)


@pytest.mark.parametrize("query", [PARTNERS, "SELECT ?x WHERE { ?x rdfs:label \"a&b=c+d%\\\\u00e9 小红书\" }"])
def test_form_fields_read_a_query_as_urlencode_wrote_it(query):
    assert form_fields(urllib.parse.urlencode({"query": query, "format": "json"})) == \
        {"query": [query], "format": ["json"]}
