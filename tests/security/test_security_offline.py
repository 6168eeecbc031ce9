"""Issue 12 item 1: no query reaches another endpoint, whatever the tokenizer would have read.

Every case runs through ``kg query`` (both engines) and ``kg serve`` (GET, form POST,
``application/sparql-query``), against a real listener on 127.0.0.1 that must see zero connections.
"""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.errors import QueryError
from kg.query.policy import check_offline

from security_support import listener  # noqa: F401 - a fixture

# {url} is the listener's address
ATTACKS = [
    "SELECT * WHERE { FILTER(0<1&&'>'!='x') SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { FILTER(0<1&&'>'!='x') SERVICE SILENT <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <{url}/x> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVIC\\u0045 <{url}/sparql> { ?s ?p ?o } }",
    "PREFIX r: <{url}/> SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE r:sparql { ?s ?p ?o } } }",
    "SELECT * WHERE { ?a ?b ?c FILTER EXISTS { SERVICE <{url}/sparql> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } } } }",
    "SELECT * WHERE { BIND(<{url}/sparql> AS ?e) SERVICE ?e { ?s ?p ?o } }",
    "ASK { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <{url}/data.ttl> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{url}/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX r: <{url}/> SELECT * FROM r:data.ttl WHERE { ?s ?p ?o }",
    "LOAD <{url}/data.ttl>",
    "# a comment: SERVICE\nSELECT * WHERE { ?s ?p ?o FILTER(?o != '\\'') SERVICE <{url}/s> { ?s ?p ?o } }",
    "SELECT * WHERE {\n# a comment \\u000A SERVICE <{url}/s> { ?s ?p ?o }\n}",
    "SELECT * WHERE {\n# a comment ended by a CR\rSERVICE <{url}/s> { ?s ?p ?o }\n}",
    "SELECT*FROM<{url}/g>WHERE{?s ?p ?o}",
]
IDS = [f"attack{i}" for i in range(len(ATTACKS))]
SAFE = [
    "SELECT ?s WHERE { ?s ?p 'SERVICE <http://example.org/> { }' }",
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o FILTER(0<1&&'>'!='x') } LIMIT 1",
]


def _q(text, listener):
    return text.replace("{url}", listener.url)


@pytest.mark.parametrize("text", ATTACKS, ids=IDS)
def test_policy_refuses_on_the_parsed_query(text, listener):
    with pytest.raises(QueryError):
        check_offline(_q(text, listener), lambda iri: False)


@pytest.mark.parametrize("text", SAFE)
def test_policy_allows_lookalikes(text):
    check_offline(text, lambda iri: False)


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("text", ATTACKS, ids=IDS)
def test_kg_query_refuses_without_a_connection(sample_graph_path, listener, engine, text):
    r = CliRunner().invoke(cli, ["query", str(sample_graph_path), _q(text, listener), "--engine", engine],
                           catch_exceptions=False)
    assert r.exit_code != 0
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.output
    assert "Traceback" not in r.output
    assert listener.connections == 0


@pytest.fixture(scope="module")
def endpoint(sample_graph_path):
    from tests_support import serving

    with serving(sample_graph_path, workers=1, timeout=5.0) as url:
        yield url


def _send(url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.parametrize("how", ["get", "form", "sparql-query"])
@pytest.mark.parametrize("text", ATTACKS, ids=IDS)
def test_kg_serve_refuses_without_a_connection(endpoint, listener, how, text):
    q = _q(text, listener)
    if how == "get":
        status, body = _send(endpoint + "/sparql?" + urllib.parse.urlencode({"query": q}))
    elif how == "form":
        status, body = _send(endpoint + "/sparql", urllib.parse.urlencode({"query": q}).encode(),
                             {"Content-Type": "application/x-www-form-urlencoded"})
    else:
        status, body = _send(endpoint + "/sparql", q.encode(), {"Content-Type": "application/sparql-query"})
    assert status in (400, 403), (status, body)
    assert len(body.strip().splitlines()) == 1 and "Traceback" not in body
    assert listener.connections == 0


@pytest.mark.parametrize("text", SAFE)
def test_kg_serve_answers_lookalikes(endpoint, text):
    status, body = _send(endpoint + "/sparql?" + urllib.parse.urlencode({"query": text}),
                         headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
