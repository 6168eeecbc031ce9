"""Exports as other tools read them: Gephi (GEXF viz data), GraphML, neo4j-admin's CSV rules, pandas."""
from __future__ import annotations

import csv
import datetime as dt
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from kg.export import export_graph
from kg.export.graphfiles import class_rgb
from kg.rdf.namespace import PREDICATES


@pytest.fixture(scope="module")
def exported(seed_graph, tmp_path_factory):
    out = tmp_path_factory.mktemp("tools")
    export_graph(seed_graph, "gexf", out / "g.gexf")
    export_graph(seed_graph, "graphml", out / "g.graphml")
    export_graph(seed_graph, "csv", out / "neo4j")
    return out


def test_export_gexf_opens_in_networkx_with_colours_sizes_labels(exported):
    raw = (exported / "g.gexf").read_text(encoding="utf-8")
    assert "networkx_key" not in raw
    g = nx.read_gexf(exported / "g.gexf")
    assert g.number_of_nodes() > 20 and g.number_of_edges() > 10
    for _, a in g.nodes(data=True):
        _, r, gr, b = class_rgb(a["class"])
        assert a["viz"]["color"] == {"r": r, "g": gr, "b": b, "a": 1.0}
        assert a["viz"]["size"] >= 10.0 and a["label"]
    sizes = {a["viz"]["size"] for _, a in g.nodes(data=True)}
    assert len(sizes) > 1  # more mentioned actors are bigger
    for _, _, a in g.edges(data=True):
        assert a["label"] == a["predicate"] in PREDICATES
    types = {e.get("label"): e.get("type") for e in ET.fromstring(raw).iter("{http://www.gexf.net/1.2draft}edge")}
    assert all(t == ("mutual" if PREDICATES[p] else "directed") for p, t in types.items())
    ids = [e.get("id") for e in ET.fromstring(raw).iter("{http://www.gexf.net/1.2draft}edge")]
    assert len(ids) == len(set(ids))


def test_export_graphml_has_unique_edge_ids_labels_and_colours(exported):
    root = ET.parse(exported / "g.graphml").getroot()
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    ids = [e.get("id") for e in root.iter(f"{ns}edge")]
    assert ids and len(ids) == len(set(ids))
    g = nx.read_graphml(exported / "g.graphml")
    for _, a in g.nodes(data=True):
        colour, r, gr, b = class_rgb(a["class"])
        assert (a["color"], a["r"], a["g"], a["b"]) == (colour, r, gr, b) and a["size"] >= 10.0
    assert all(a["label"] == a["predicate"] for _, _, a in g.edges(data=True))


# neo4j-admin database import: header field = [name][:type] or :ID/:START_ID/:END_ID/:TYPE/:LABEL/:IGNORE
_TYPES = {
    "int": re.compile(r"-?\d+"), "long": re.compile(r"-?\d+"),
    "float": re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?"), "double": re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?"),
    "boolean": re.compile(r"true|false"), "string": re.compile(r"(?s).*"),
    "date": re.compile(r"\d{4}(-\d{2}(-\d{2})?)?"),
}
_SPECIAL = {"ID", "START_ID", "END_ID", "TYPE", "LABEL", "IGNORE"}


def _check_header(header: list[str]) -> list[tuple[str, str]]:
    fields = []
    for h in header:
        name, _, kind = h.partition(":")
        kind = kind or "string"
        base = re.sub(r"\(.*\)$", "", kind)  # :ID(group)
        assert base in _SPECIAL or base.removesuffix("[]") in _TYPES, f"header {h!r}: unknown type {kind!r}"
        assert name or base in _SPECIAL, f"header {h!r}: a property needs a name"
        fields.append((name, base))
    return fields


def _check_rows(path, fields):
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))[1:]
    for n, row in enumerate(rows, start=2):
        assert len(row) == len(fields), f"{path.name}:{n}: {len(row)} fields, header has {len(fields)}"
        for value, (name, base) in zip(row, fields):
            if value == "" or base in _SPECIAL:
                continue  # empty = no property
            assert _TYPES[base].fullmatch(value), f"{path.name}:{n}: {name}={value!r} is not a {base}"
            if base == "date" and len(value) == 10:
                dt.date.fromisoformat(value)
    return rows


def test_export_neo4j_csv_follows_neo4j_admin_rules(exported):
    d = exported / "neo4j"
    node_fields = _check_header(next(csv.reader((d / "nodes.csv").open(encoding="utf-8"))))
    rel_header = next(csv.reader((d / "relationships.csv").open(encoding="utf-8")))
    rel_fields = _check_header(rel_header)
    assert [b for _, b in node_fields].count("ID") == 1
    assert {"START_ID", "END_ID", "TYPE"} <= {b for _, b in rel_fields}
    ids = {r[0] for r in _check_rows(d / "nodes.csv", node_fields)}
    rels = _check_rows(d / "relationships.csv", rel_fields)
    assert all(r[0] in ids and r[1] in ids for r in rels)
    col = {name or b: i for i, (name, b) in enumerate(rel_fields)}
    for prop in ("role", "confidence", "evidenceCount", "evidence", "date"):
        assert any(r[col[prop]] for r in rels), f"no relationship carries {prop}"
    assert "neo4j-admin database import full" in (d / "README.md").read_text()


def test_export_query_result_to_pandas_plain_values(seed_graph):
    import kg

    df = kg.query(seed_graph, "SELECT ?e ?label ?d ?v WHERE { ?e rdfs:label ?label . "
                              "OPTIONAL { ?m pkg:date ?d } OPTIONAL { ?m pkg:value ?v } } LIMIT 200").to_pandas()
    assert list(df.columns) == ["e", "label", "d", "v"] and len(df) > 0
    kinds = {type(v) for c in df for v in df[c]}
    assert kinds <= {str, int, float, bool, type(None), dt.date, dt.datetime}
    assert kg.query(seed_graph, "ASK { ?s ?p ?o }").to_pandas()["ask"].tolist() == [True]
    triples = kg.query(seed_graph, "DESCRIBE kgorg:xiaohongshu").to_pandas()
    assert list(triples.columns) == ["subject", "predicate", "object"] and len(triples) > 3
