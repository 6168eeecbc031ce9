"""kg validate: the sample and seed graphs conform; planted violations fail with readable messages."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.cli import cli
from kg.rdf.namespace import ENT, PKG
from kg.validate import validate_graph
from kg.validate.infer import materialize


@pytest.fixture
def sample(sample_graph_path):
    g = Graph()
    g.parse(sample_graph_path)
    return g


@pytest.mark.parametrize("which", ["sample", "seed"])
def test_validate_conforms(which, request):
    graph = request.getfixturevalue("sample" if which == "sample" else "seed_graph")
    report = validate_graph(graph)
    assert report.conforms, report.text
    assert report.violation_count == 0
    assert report.text.startswith("Graph conforms")


def _plant(g, kind):
    if kind == "worksFor-domain":
        g.add((ENT["place/indonesia"], PKG.worksFor, ENT["org/tmall"]))
    elif kind == "confidence-range":
        g.set((ENT["statement/s2"], PKG.confidence, Literal("1.5", datatype=XSD.decimal)))
    elif kind == "metric-type":
        g.set((ENT["metric/m1"], PKG.metricType, Literal("hype")))
    elif kind == "two-labels":
        g.add((ENT["org/tmall"], RDFS.label, Literal("Tmall Global", lang="en")))
    elif kind == "undeclared-predicate":
        g.add((ENT["org/tmall"], URIRef(str(PKG._NS) + "workFor"), ENT["org/jd-com"]))
    elif kind == "statement-subject-class":
        g.set((ENT["statement/s1"], RDF.subject, ENT["place/indonesia"]))
    elif kind == "modality":
        g.set((ENT["statement/s1"], PKG.modality, Literal("rumoured")))
    elif kind == "no-article":
        g.remove((ENT["statement/s3"], None, ENT["article/a1"]))
    elif kind == "mentionedIn-range":
        g.add((ENT["org/tmall"], PKG.mentionedIn, ENT["org/jd-com"]))


@pytest.mark.parametrize("kind,group,phrase", [
    ("worksFor-domain", "SHACL worksFor", "the subject of pkg:worksFor must be a pkg:Person"),
    ("confidence-range", "SHACL Statement", "pkg:confidence must be one xsd:decimal between 0 and 1"),
    ("metric-type", "SHACL Metric", "pkg:metricType must be one of"),
    ("two-labels", "SHACL Entity", "exactly one language-tagged"),
    ("undeclared-predicate", "ontology: undeclared term", "pkg:workFor is not declared in the ontology"),
    ("statement-subject-class", "SHACL Statement", "the subject of a pkg:worksFor statement must be a pkg:Person"),
    ("modality", "SHACL Statement", "pkg:modality must be one of"),
    ("no-article", "SHACL Statement", "prov:wasDerivedFrom exactly one pkg:Article"),
    ("mentionedIn-range", "ontology: domain and range", "the object of pkg:mentionedIn must be a pkg:Article"),
])
def test_validate_planted_violation_is_reported(kind, group, phrase, sample):
    _plant(sample, kind)
    report = validate_graph(sample)
    assert not report.conforms
    assert report.violation_count >= 1
    assert group in report.by_group(), report.text
    assert phrase in report.text, report.text
    # readable: the header counts, groups are headed "<group> (<n>)", no raw pySHACL dump
    assert report.text.startswith(f"Graph does not conform: {report.violation_count} violation(s)")
    assert "Constraint Violation in" not in report.text


@pytest.mark.parametrize("cls", ["Platform", "GovernmentBody", "MediaOutlet"])
def test_validate_subclass_satisfies_organization(cls, sample):
    # worksFor's object must be an Organization: each subclass is accepted (ontology mixed in)
    g = sample
    g.set((ENT["org/xiaohongshu"], RDF.type, PKG[cls]))
    assert validate_graph(g).conforms


@pytest.mark.parametrize("pred", ["partnerOf", "competesWith"])
def test_validate_infer_materialises_symmetric_and_superclasses(pred, sample):
    inferred = materialize(sample)
    a, b = {"partnerOf": ("org/tmall", "org/xiaohongshu"), "competesWith": ("org/douyin", "org/xiaohongshu")}[pred]
    assert (ENT[b], PKG[pred], ENT[a]) in inferred
    assert (ENT[b], PKG[pred], ENT[a]) not in sample
    assert (ENT["org/tmall"], RDF.type, PKG.Organization) in inferred
    assert (ENT["gov/indonesia-trade-ministry"], RDF.type, PKG.Organization) in inferred
    assert len(sample) < len(inferred)
    assert validate_graph(sample, infer=True).conforms


@pytest.mark.parametrize("args", [[]])
def test_validate_cli_passes_on_sample(args, sample_graph_path):
    result = CliRunner().invoke(cli, ["validate", str(sample_graph_path), *args])
    assert result.exit_code == 0, result.output
    assert "Graph conforms" in result.output


@pytest.mark.parametrize("kind", ["worksFor-domain"])
def test_validate_cli_fails_with_readable_report(kind, sample, tmp_path):
    _plant(sample, kind)
    path = tmp_path / "bad.ttl"
    sample.serialize(path, format="turtle")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "SHACL worksFor (1)" in result.output
    assert "kgplace:indonesia: the subject of pkg:worksFor must be a pkg:Person" in result.output
    assert "Error: " in result.output and "violation(s) of the data model" in result.output
    result = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    data = json.loads(result.output[: result.output.rindex("}") + 1])
    assert data["conforms"] is False and data["violation_count"] >= 1


@pytest.mark.parametrize("ext", ["ttl"])
def test_validate_cli_infer_writes_graph(ext, sample_graph_path, tmp_path):
    out = tmp_path / f"inferred.{ext}"
    result = CliRunner().invoke(cli, ["validate", str(sample_graph_path), "--infer", "-o", str(out)])
    assert result.exit_code == 0, result.output
    g = Graph()
    g.parse(out)
    assert (ENT["org/xiaohongshu"], PKG.partnerOf, ENT["org/tmall"]) in g


@pytest.mark.parametrize("seed", ["seed"])
def test_validate_cli_passes_on_seed_build(seed, seed_graph_path):
    result = CliRunner().invoke(cli, ["validate", str(seed_graph_path)])
    assert result.exit_code == 0, result.output
