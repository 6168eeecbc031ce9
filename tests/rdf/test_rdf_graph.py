"""The RDF layer: vocabulary in step with the ontology, deterministic and strictly valid IRIs,
the data model's shape on a real build, and SHACL on it."""
from __future__ import annotations

import pytest
from pyoxigraph import NamedNode
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.rdf.namespace import PKG, PREDICATES
from kg.resolve.iri import entity_iri, mint
from kg.util import ontology_dir

from conftest import SEED_DIR


def test_namespace_matches_ontology():
    onto = Graph().parse(ontology_dir() / "platform.ttl")
    declared = {str(s) for s in onto.subjects(RDF.type, None) if str(s).startswith(str(PKG._NS))}
    in_code = {str(PKG._NS) + name for name in PKG.__annotations__}
    assert declared == in_code
    for term in declared:
        assert (URIRef(term), RDFS.label, None) in onto and (URIRef(term), RDFS.comment, None) in onto, term
    for p, symmetric in PREDICATES.items():
        assert ((PKG[p], RDF.type, OWL.SymmetricProperty) in onto) == symmetric


@pytest.mark.parametrize("name", ["Xiaohongshu", "小红书", "Bain & Company", 'a "quoted" <name>', "tab\there", "emoji 🚀", "50%/yr"])
def test_iri_minting_is_strict_and_stable(name):
    a, b = entity_iri("ORG", name), entity_iri("ORG", name)
    assert a == b
    NamedNode(str(a))  # a strict parser accepts it
    assert " " not in str(mint(name))


def test_build_is_deterministic(seed_build):
    """Two builds of the same input give byte-identical sorted N-Triples."""
    from kg.pipeline import build_graph

    again = build_graph([SEED_DIR / "social-ecommerce-digest-2025.txt"]).graph
    first = sorted(seed_build[0].graph.serialize(format="nt").splitlines())
    second = sorted(again.serialize(format="nt").splitlines())
    assert first == second


def test_build_follows_the_data_model(seed_graph):
    g = seed_graph
    person = next(s for s, o in g.subject_objects(RDFS.label) if str(o) == "王微")
    institute = next(s for s, o in g.subject_objects(RDFS.label) if str(o) == "市场经济研究所")
    xhs = next(s for s, o in g.subject_objects(RDFS.label) if str(o) == "Xiaohongshu")
    assert (person, PKG.worksFor, institute) in g
    st = next(g.subjects(RDF.subject, person))
    assert str(g.value(st, PKG.role)) == "researcher"
    assert str(g.value(st, PKG.modality)) == "asserted"
    art = g.value(st, PKG.evidence) and g.value(st, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert (art, RDF.type, PKG.Article) in g
    assert "小红书" in {str(o) for o in g.objects(xhs, URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))}
    # every statement's evidence is quoted exactly from the input file
    raw = (SEED_DIR / "social-ecommerce-digest-2025.txt").read_text(encoding="utf-8")
    for node in g.subjects(PKG.evidenceStart, None):
        s, e = int(g.value(node, PKG.evidenceStart)), int(g.value(node, PKG.evidenceEnd))
        quote = str(g.value(node, PKG.evidence))
        assert raw[s:e].replace("\n", " ").strip() == quote or quote in raw[s:e]


def test_build_non_asserted_statements_have_no_direct_triple(seed_graph):
    g = seed_graph
    for st in g.subjects(PKG.modality, None):
        if (st, RDF.type, RDF.Statement) in g and str(g.value(st, PKG.modality)) != "asserted":
            s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
            asserted_elsewhere = any(str(g.value(x, PKG.modality)) == "asserted"
                                     for x in g.subjects(RDF.subject, s) if g.value(x, RDF.object) == o)
            assert (s, p, o) not in g or asserted_elsewhere


def test_build_passes_shacl(seed_graph):
    from kg.validate import validate_graph

    report = validate_graph(seed_graph)
    assert report.conforms, report.text
