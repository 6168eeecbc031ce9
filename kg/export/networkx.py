"""The graph's actors as a networkx graph: what Gephi, GraphML, GEXF, Neo4j CSV and ``kg stats`` see.

Nodes are entities (nodes of a class in ``CLASS_COARSE``), keyed by IRI, with scalar attributes only
(``label``, ``class``, ``coarse``, ``aliases`` joined with `` | ``, ``wikidata``, ``articles``) so
that every graph file format can carry them. Edges are the direct relation triples (asserted facts),
one per (subject, predicate, object), keyed by the predicate's local name, with the best
``confidence`` among the statements that assert it and the number of supporting ``articles``.
"""
from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS

from kg.rdf.namespace import CLASS_COARSE, PKG, PREDICATES, WD

ALIAS_SEPARATOR = " | "

# Within a coarse type the more specific class wins when a node carries several (e.g. after --infer).
_GENERAL = {"Organization", "Place"}


def entity_class(graph: Graph, node) -> str | None:
    """The most specific entity class (local name) of ``node``, or None when it is not an entity."""
    found = sorted(c for c in (str(t)[len(str(PKG._NS)):] for t in graph.objects(node, RDF.type)
                               if str(t).startswith(str(PKG._NS))) if c in CLASS_COARSE)
    if not found:
        return None
    specific = [c for c in found if c not in _GENERAL]
    return (specific or found)[0]


def _pick_label(labels: list[Literal]) -> str:
    # one rdfs:label per entity is the contract; prefer English if a graph has several
    if not labels:
        return ""
    labels = sorted(labels, key=lambda lit: (lit.language != "en", str(lit)))
    return str(labels[0])


def entities(graph: Graph) -> dict[URIRef, dict]:
    """Entity IRI -> scalar attributes (the node table of every graph export)."""
    out: dict[URIRef, dict] = {}
    subjects = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    for node in sorted(subjects):
        cls = entity_class(graph, node)
        if cls is None:
            continue
        label = _pick_label([lit for lit in graph.objects(node, RDFS.label) if isinstance(lit, Literal)])
        aliases = sorted({str(a) for a in graph.objects(node, SKOS.altLabel)} - {label})
        wikidata = sorted(str(o)[len(str(WD)):] for o in graph.objects(node, OWL.sameAs) if str(o).startswith(str(WD)))
        out[node] = {
            "label": label,
            "class": cls,
            "coarse": CLASS_COARSE[cls],
            "aliases": ALIAS_SEPARATOR.join(aliases),
            "wikidata": wikidata[0] if wikidata else "",
            "articles": len(set(graph.objects(node, PKG.mentionedIn))),
            "iri": str(node),
        }
    return out


def _first(graph: Graph, node, pred):
    v = graph.value(node, pred)
    return None if v is None else v


def _qualifiers(graph: Graph, st) -> dict:
    """The qualifiers one statement node carries (plain Python values; absent ones left out)."""
    out = {}
    for key, pred in (("role", PKG.role), ("stake", PKG.stakePercent), ("amount", PKG.amount),
                      ("currency", PKG.currency), ("date", PKG.date)):
        v = _first(graph, st, pred)
        if v is not None:
            py = v.toPython() if isinstance(v, Literal) else str(v)
            out[key] = py if isinstance(py, (int, float, str)) else str(v)
    return out


def relations(graph: Graph, nodes: dict[URIRef, dict] | None = None) -> list[dict]:
    """The direct relation triples between entities, with support from their statement nodes.

    Each carries ``confidence`` (the best of its asserted statements), ``articles`` and ``evidence``
    counts, the ``evidence_first`` sentence (of the earliest-dated supporting article), and the
    qualifiers ``role``, ``stake``, ``amount``, ``currency``, ``date`` of the first statement that has
    each ("" / None when none has it).
    """
    nodes = entities(graph) if nodes is None else nodes
    support: dict[tuple, list[tuple]] = defaultdict(list)
    for st in graph.subjects(RDF.type, RDF.Statement):
        if str(graph.value(st, PKG.modality) or "asserted") != "asserted":
            continue
        key = (graph.value(st, RDF.subject), graph.value(st, RDF.predicate), graph.value(st, RDF.object))
        conf = graph.value(st, PKG.confidence)
        try:
            c = float(conf.toPython()) if conf is not None else None
        except (TypeError, ValueError):
            c = None
        arts = list(graph.objects(st, PROV.wasDerivedFrom)) or [None]
        evidence = str(graph.value(st, PKG.evidence) or "")
        quals = _qualifiers(graph, st)
        for art in arts:
            support[key].append((c, art, evidence, quals, str(st)))
    out = []
    for p in PREDICATES:
        pred = PKG[p]
        for s, o in sorted(graph.subject_objects(pred)):
            if s not in nodes or o not in nodes:
                continue
            sup = sorted(support.get((s, pred, o), []), key=lambda x: (x[3].get("date") is None,
                                                                      str(x[3].get("date", "")), x[4]))
            confs = [c for c, *_ in sup if c is not None]
            arts = {a for _, a, *_ in sup if a is not None}
            evid = [e for _, _, e, _, _ in sup if e]
            rel = {
                "source": str(s),
                "target": str(o),
                "predicate": p,
                "symmetric": PREDICATES[p],
                "confidence": max(confs) if confs else 1.0,
                "articles": len(arts),
                "evidence": len(set(evid)),
                "evidence_first": evid[0] if evid else "",
            }
            for k in ("role", "stake", "amount", "currency", "date"):
                rel[k] = next((q[k] for _, _, _, q, _ in sup if k in q), None)
            out.append(rel)
    return out


def to_networkx(graph: Graph):
    """Entities and relations of ``graph`` as a ``networkx.MultiDiGraph``.

    Node keys are entity IRIs (strings); edge keys are predicate local names, so two actors linked by
    several predicates keep one edge per predicate. Symmetric predicates (``partnerOf``,
    ``competesWith``) appear once, in the stored direction, with ``symmetric=True``; use
    ``.to_undirected()`` for centrality and communities.
    """
    import networkx as nx

    nodes = entities(graph)
    g = nx.MultiDiGraph()
    for iri, attrs in nodes.items():
        g.add_node(str(iri), **attrs)
    for rel in relations(graph, nodes):
        attrs = {k: v for k, v in rel.items() if k not in ("source", "target") and v is not None}
        attrs["weight"] = float(max(rel["articles"], 1))
        g.add_edge(rel["source"], rel["target"], key=rel["predicate"], **attrs)
    return g
