"""The fast SHACL engine reports exactly what pySHACL reports, on graphs with seeded violations of
every constraint component shapes.ttl uses (and on conforming graphs), and refuses shapes it cannot run."""
from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.rdf.namespace import ENT, PKG
from kg.validate import _shape_name, load_shapes, validate_graph
from kg.validate.fast import Unsupported, compile_shapes

PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
DCT = "http://purl.org/dc/terms/"

# kind -> how to break the sample graph; together they touch every constraint component of shapes.ttl
SEEDS = {
    "node-class": lambda g: g.add((ENT["place/indonesia"], PKG.worksFor, ENT["org/tmall"])),
    "property-class": lambda g: g.add((ENT["person/conan"], PKG.worksFor, ENT["place/indonesia"])),
    "union-range": lambda g: g.add((ENT["org/tmall"], PKG.launched, ENT["person/conan"])),
    "sparql-domain": lambda g: g.set((ENT["statement/s1"], RDF.subject, ENT["place/indonesia"])),
    "sparql-union-range": lambda g: (g.set((ENT["statement/s2"], RDF.predicate, PKG.launched)),
                                     g.set((ENT["statement/s2"], RDF.object, ENT["law/regulation-no-31-of-2023"]))),
    "max-inclusive": lambda g: g.set((ENT["statement/s2"], PKG.confidence, Literal("1.5", datatype=XSD.decimal))),
    "min-inclusive-string": lambda g: g.set((ENT["statement/s3"], PKG.confidence, Literal("high"))),
    "datatype": lambda g: g.set((ENT["statement/s4"], PKG.confidence, Literal("0.5", datatype=XSD.double))),
    "ill-typed": lambda g: g.set((ENT["statement/s5"], PKG.confidence, Literal("abc", datatype=XSD.decimal))),
    "in": lambda g: g.set((ENT["statement/s1"], PKG.modality, Literal("rumoured"))),
    "min-count": lambda g: g.remove((ENT["statement/s3"], PROV_DERIVED, None)),
    "max-count": lambda g: g.add((ENT["org/tmall"], RDFS.label, Literal("Tmall Global", lang="en"))),
    "lang-string": lambda g: g.add((ENT["org/douyin"], SKOS.altLabel, Literal("DY"))),
    "min-length": lambda g: g.set((ENT["person/conan"], RDFS.label, Literal("", lang="en"))),
    "node-kind": lambda g: g.add((ENT["statement/s6"], RDF.object, Literal("a law"))),
    "pattern": lambda g: g.add((ENT["org/tmall"], OWL.sameAs, URIRef("http://example.org/tmall"))),
    "pattern-currency": lambda g: g.add((ENT["statement/s2"], PKG.currency, Literal("dollars"))),
    "or-datatype": lambda g: g.add((ENT["statement/s7"], PKG.date, Literal("2023-01-01T00:00:00", datatype=XSD.dateTime))),
    "or-classes": lambda g: g.add((ENT["x/untyped"], PKG.mentionedIn, ENT["article/a1"])),
    "inverse-path": lambda g: g.add((ENT["metric/orphan"], RDF.type, PKG.Metric)),
    "metric-node-class": lambda g: g.add((ENT["org/tmall"], PKG.hasMetric, ENT["org/jd-com"])),
    "metric-in": lambda g: g.set((ENT["metric/m1"], PKG.metricType, Literal("hype"))),
    "article-title": lambda g: g.add((ENT["article/a2"], URIRef(DCT + "title"), Literal("Second title"))),
    "type-decision": lambda g: g.add((ENT["statement/s1"], PKG.typeDecision, Literal("1", datatype=XSD.integer))),
    "blank-node-value": lambda g: g.add((ENT["person/conan"], PKG.worksFor, BNode("b1"))),
}


@pytest.fixture
def sample(sample_graph_path):
    return Graph().parse(sample_graph_path)


def findings(graph: Graph, engine: str) -> set:
    return set(validate_graph(graph, engine=engine).violations)


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_validate_fast_same_findings_as_pyshacl(kind, sample):
    SEEDS[kind](sample)
    fast, reference = findings(sample, "fast"), findings(sample, "pyshacl")
    assert fast == reference, (sorted(fast - reference, key=str), sorted(reference - fast, key=str))
    assert any(v.severity == "Violation" for v in fast), f"seed {kind} broke nothing"


@pytest.mark.parametrize("n", [len(SEEDS)])
def test_validate_fast_same_findings_all_seeds_at_once(n, sample):
    for seed in SEEDS.values():
        seed(sample)
    fast, reference = findings(sample, "fast"), findings(sample, "pyshacl")
    assert fast == reference, (sorted(fast - reference, key=str), sorted(reference - fast, key=str))
    assert len(fast) >= n


@pytest.mark.parametrize("which", ["sample", "seed"])
def test_validate_fast_conforming_graphs_agree(which, request):
    graph = request.getfixturevalue("sample" if which == "sample" else "seed_graph")
    assert findings(graph, "fast") == findings(graph, "pyshacl") == set()


@pytest.mark.parametrize("extra", [
    "pkgsh:X a sh:NodeShape ; sh:targetClass pkg:Law ; sh:node pkgsh:EntityShape .",
    "pkgsh:X a sh:NodeShape ; sh:targetClass pkg:Law ; sh:property [ sh:path ( rdfs:label skos:altLabel ) ; "
    "sh:maxCount 3 ; sh:message \"m\" ] .",
    "pkgsh:X a sh:NodeShape ; sh:targetClass pkg:Law ; sh:property [ sh:path rdfs:label ; sh:maxCount 3 ] .",
    "pkgsh:X a sh:NodeShape ; sh:targetClass pkg:Law ; sh:sparql [ sh:select \"SELECT $this WHERE { FILTER ($this = $this) }\" ; "
    "sh:message \"m\" ] .",
])
def test_validate_fast_refuses_what_it_cannot_run(extra):
    """A shape the engine cannot evaluate exactly makes it refuse (validate_graph then runs pySHACL)."""
    shapes = Graph()
    for t in load_shapes():
        shapes.add(t)
    shapes.parse(data="@prefix pkgsh: <https://w3id.org/platform-kg/shapes#> . "
                      "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix pkg: <https://w3id.org/platform-kg/ontology#> . "
                      "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
                      "@prefix skos: <http://www.w3.org/2004/02/skos/core#> . " + extra, format="turtle")
    with pytest.raises(Unsupported):
        compile_shapes(shapes, _shape_name)
    assert compile_shapes(load_shapes(), _shape_name)


@pytest.mark.parametrize("kinds", [("sparql-domain", "sparql-union-range", "union-range", "node-kind")])
def test_validate_fast_native_domain_range_equals_its_sparql(kinds, sample):
    """The natively computed domain/range constraint gives the rows its SPARQL text gives (run by rdflib)."""
    from dataclasses import replace

    from kg.validate import load_ontology
    from kg.validate.fast import Engine

    for kind in kinds:
        SEEDS[kind](sample)
    shapes = compile_shapes(load_shapes(), _shape_name)
    constraints = [(s, sc) for s in shapes for sc in s.sparql]
    assert [sc.native for _, sc in constraints] == [True]
    engine = Engine(sample, load_ontology())
    for shape, sc in constraints:
        focus = engine.targets(shape)
        native = engine.sparql(shape, sc, focus)
        assert native and set(native) == set(engine.sparql(shape, replace(sc, native=False), focus))
