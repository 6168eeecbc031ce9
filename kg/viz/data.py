"""Graph -> plain nodes/edges data for the viewer (no HTML, no browser: testable on its own).

:func:`build_view` reads an rdflib graph in the shape of ``docs/data-model.md`` and returns a
:class:`View`: entities as nodes (class, label, aliases, Wikidata id, articles, figures), facts as
edges (one per fact and modality, with every statement node that supports it, its qualifiers and its
evidence), the articles they cite, and the legend. Everything in it is plain JSON-ready data; the page
(:mod:`kg.viz.page`) only ever puts it in the DOM as text.

Edges: an asserted fact is a direct triple; its statement nodes are its evidence. A non-asserted
statement (planned, negated, reported, forecast) has no direct triple: it becomes its own edge, drawn
dashed or dotted, so the reader sees it without taking it for a fact. Symmetric predicates are one
undirected edge whichever direction the graph stores.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from kg.errors import KGError
from kg.rdf.namespace import CLASS_COARSE, ENTITY_CLASSES, PKG, SCHEMA, SYMMETRIC

PKG_NS = str(PKG._NS)
# pkg: properties between entities that are bookkeeping, not facts
_NOT_FACTS = {"mentionedIn", "hasMetric"}
_PARENT = {
    "Company": "Organization", "Platform": "Organization", "Association": "Organization",
    "MediaOutlet": "Organization", "GovernmentBody": "Organization",
    "Country": "Place", "Region": "Place", "City": "Place",
}
_WIKIDATA = re.compile(r"^https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/(Q[0-9]+)$")
_HTTP = re.compile(r"^https?://[^\s]+$")

# Class -> (colour, vis-network shape, legend glyph). Shapes double the colour for colour-blind readers.
CLASS_STYLE: dict[str, tuple[str, str, str]] = {
    "Company": ("#4e79a7", "dot", "●"),
    "Platform": ("#f28e2b", "dot", "●"),
    "Organization": ("#76b7b2", "dot", "●"),
    "Association": ("#59a14f", "dot", "●"),
    "MediaOutlet": ("#b07aa1", "dot", "●"),
    "GovernmentBody": ("#e15759", "diamond", "◆"),
    "Person": ("#edc948", "star", "★"),
    "Place": ("#9c755f", "hexagon", "⬢"),
    "Country": ("#9c755f", "hexagon", "⬢"),
    "Region": ("#c49c7a", "hexagon", "⬢"),
    "City": ("#7a5230", "hexagon", "⬢"),
    "Product": ("#ff9da7", "triangle", "▲"),
    "Law": ("#6b4c9a", "square", "■"),
}
_PRED_COLOURS = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#9c755f",
                 "#d37295", "#8cd17d", "#499894", "#bab0ac", "#86bcb6"]
PREDICATE_ORDER = ["partnerOf", "competesWith", "acquiredStakeIn", "subsidiaryOf", "worksFor",
                   "regulates", "issued", "appliesTo", "launched", "operatesIn"]
# modality -> vis-network `dashes` (False = solid line)
MODALITY_DASHES: dict[str, object] = {
    "asserted": False, "planned": [8, 6], "forecast": [8, 6], "reported": [2, 5], "negated": [3, 3],
}
CLASS_LABELS = {"GovernmentBody": "Government body", "MediaOutlet": "Media outlet"}


@dataclass
class Statement:
    """One statement node (one article's support for a fact), ready for the side panel."""

    subject: int
    object: int
    predicate: str
    modality: str
    confidence: float | None
    extracted_by: str | None
    evidence: str | None
    article: int | None                      # index into View.articles
    qualifiers: list[tuple[str, str]] = field(default_factory=list)  # (name, display text)


@dataclass
class Metric:
    type: str
    value: float | None
    unit: str | None
    text: str                                # "USD 26 billion", "35%", "125 million"
    date: str | None
    evidence: str | None
    article: int | None
    confidence: float | None


@dataclass
class Node:
    id: int
    iri: str
    label: str
    cls: str
    coarse: str
    aliases: list[tuple[str, str]]           # (text, language tag)
    wikidata: str | None                     # "Q55379457", validated
    articles: list[int]                      # indices into View.articles (mentions and statements)
    metrics: list[Metric]
    degree: int = 0
    mentions: int = 0
    rank: int = 0                            # 0 = most connected; the page draws ranks < max_nodes
    x: float | None = None
    y: float | None = None
    pagerank: float = 0.0                    # set by kg.viz.structure.arrange
    community: int = -1                      # 0 = largest community, -1 = no relation


@dataclass
class Edge:
    id: int
    source: int
    target: int
    predicate: str
    modality: str                            # "asserted" for a direct triple, else the statements'
    directed: bool
    confidence: float | None
    statements: list[Statement]
    dates: list[str]                         # article dates of the statements, for the date filter
    curve: int = 0                           # n-th parallel edge between the same two nodes
    style: dict = field(default_factory=dict)


@dataclass
class Article:
    iri: str
    title: str | None
    date: str | None                         # YYYY-MM-DD (or as precise as stated)
    publisher: str | None
    source: str | None
    url: str | None


@dataclass
class View:
    title: str
    nodes: list[Node]
    edges: list[Edge]
    articles: list[Article]
    classes: list[dict]
    predicates: list[dict]
    total_entities: int                      # in the whole graph, before --focus
    max_nodes: int | None = None
    focus: dict | None = None                # {"id", "label", "depth"} when --focus was given
    date_min: str | None = None
    date_max: str | None = None
    layout: str = "none"                     # "precomputed" once kg.viz.structure.arrange ran
    renderer: str = "canvas"                 # "canvas" (vis-network) or "webgl" (sigma.js): kg.viz.page
    communities: list[dict] = field(default_factory=list)     # {"id", "color"}
    community_method: str = ""
    clusters: list[dict] = field(default_factory=list)        # first-view aggregation (big views)
    cluster_edges: list[dict] = field(default_factory=list)   # {"a", "b", "count"} between clusters

    @property
    def drawn_nodes(self) -> list[Node]:
        """The nodes the page draws first: all of them, or the ``max_nodes`` most connected."""
        if self.max_nodes is None:
            return list(self.nodes)
        return [n for n in self.nodes if n.rank < self.max_nodes]

    @property
    def drawn_edges(self) -> list[Edge]:
        ids = {n.id for n in self.drawn_nodes}
        return [e for e in self.edges if e.source in ids and e.target in ids]

    def to_dict(self) -> dict:
        """The page data: this view's fields (nested dataclasses stay objects; the page's JSON
        encoder, :func:`kg.viz.page.json_for_script`, writes them as their fields) plus ``omitted``."""
        d = dict(vars(self))
        d["omitted"] = len(self.nodes) - len(self.drawn_nodes)
        return d


# ---------------------------------------------------------------- helpers

def local_name(iri) -> str:
    s = str(iri)
    return re.split(r"[#/]", s)[-1] if s else s


def predicate_label(name: str) -> str:
    """'acquiredStakeIn' -> 'acquired stake in'."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: " " + m.group(1).lower(), name)


def normalise(text: str) -> str:
    """Search key: NFKC, case-folded, whitespace collapsed (full-width and Chinese forms match)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _num(lit) -> float | None:
    if lit is None:
        return None
    try:
        return float(Decimal(str(lit)))
    except (InvalidOperation, ValueError):
        return None


def _trim(x: float) -> str:
    s = f"{x:,.2f}".rstrip("0").rstrip(".")
    return s


def human_number(v: float) -> str:
    """26000000000 -> '26 billion', 125000000 -> '125 million', 4500 -> '4,500'."""
    a = abs(v)
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if a >= size:
            return f"{_trim(v / size)} {word}"
    return _trim(v)


def format_value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "?" if not unit else f"? {unit}"
    if unit == "percent":
        return f"{_trim(value)}%"
    if unit == "count":
        return human_number(value)
    if unit == "ratio" or not unit:
        return _trim(value)
    return f"{unit} {human_number(value)}"


def _date_text(lit) -> str | None:
    if lit is None:
        return None
    s = str(lit)
    return s[:10] if "T" in s else s


class _BySubject:
    """The graph's triples grouped by subject, then predicate, read in one pass.

    build_view looks up about ten properties of every statement, article, entity and figure; one
    rdflib ``value``/``objects`` call costs a generator and an index walk, which made reading the
    graph the slowest part of ``kg viz`` at 5,000 entities. Same answers as the graph's own
    ``objects(s, p)`` and ``value(s, p)`` (for several values, one of them).
    """

    def __init__(self, graph: Graph):
        by: dict = {}
        for s, p, o in graph.triples((None, None, None)):
            by.setdefault(s, {}).setdefault(p, []).append(o)
        self._by = by

    def objects(self, s, p):
        props = self._by.get(s)
        return props.get(p, ()) if props else ()

    def value(self, s, p):
        vals = self.objects(s, p)
        return vals[0] if vals else None

    def triples(self):
        for s, props in self._by.items():
            for p, objs in props.items():
                for o in objs:
                    yield s, p, o


def _first_text(graph, node, pred) -> str | None:
    vals = [str(v) for v in graph.objects(node, pred)]
    return min(vals) if vals else None      # deterministic when a graph holds more than one


def _label(graph, node) -> str:
    labels = list(graph.objects(node, RDFS.label))
    if not labels:
        return local_name(node)
    # the canonical label is the one label; prefer English if a graph holds several
    labels.sort(key=lambda lit: (getattr(lit, "language", None) != "en", str(lit)))
    return str(labels[0])


def _class_of(types: set[str]) -> str:
    present = {t for t in types if t in CLASS_COARSE}
    parents = {_PARENT[t] for t in present if t in _PARENT}
    specific = [c for c in ENTITY_CLASSES if c in present and c not in parents]
    return specific[0]


# ---------------------------------------------------------------- the view

def build_view(graph: Graph, *, focus: str | None = None, depth: int = 2,
               max_nodes: int | None = None, title: str | None = None) -> View:
    """Read ``graph`` into the viewer's data.

    ``focus`` (an IRI, label or alias) keeps only the entities within ``depth`` links of it;
    ``max_nodes`` ranks entities by degree (then mentions, then name): the page draws the first
    ``max_nodes`` and says how many it left out; search, filters and "show neighbourhood" reach the rest.
    """
    if depth < 0:
        raise KGError(f"--depth {depth}: the depth must be 0 or more (links away from the focus)")
    if max_nodes is not None and max_nodes < 1:
        raise KGError(f"--max-nodes {max_nodes}: must be at least 1")

    ix = _BySubject(graph)

    # entities
    types: dict[URIRef, set[str]] = defaultdict(set)
    for s, t in graph.subject_objects(RDF.type):
        if isinstance(s, URIRef) and str(t).startswith(PKG_NS) and local_name(t) in CLASS_COARSE:
            types[s].add(local_name(t))
    iris = sorted(types, key=str)
    index = {iri: i for i, iri in enumerate(iris)}

    # articles, in date order so indices read naturally
    art_iris = set(graph.subjects(RDF.type, PKG.Article))
    for pred in (PROV.wasDerivedFrom, PKG.mentionedIn):
        art_iris.update(o for o in graph.objects(None, pred) if isinstance(o, URIRef))
    articles_raw = []
    for a in art_iris:
        url = _first_text(ix, a, SCHEMA.url)
        articles_raw.append(Article(
            iri=str(a), title=_first_text(ix, a, DCTERMS.title),
            date=_date_text(_first_text(ix, a, DCTERMS.date)),
            publisher=_first_text(ix, a, DCTERMS.publisher),
            source=_first_text(ix, a, DCTERMS.source),
            url=url if url and _HTTP.match(url) else None,
        ))
    articles_raw.sort(key=lambda a: (a.date or "9999", a.iri))
    art_index = {URIRef(a.iri): i for i, a in enumerate(articles_raw)}

    symmetric = set(SYMMETRIC) | {local_name(p) for p in graph.subjects(RDF.type, OWL.SymmetricProperty)
                                  if str(p).startswith(PKG_NS)}

    def key(s: int, p: str, o: int) -> tuple[int, str, int]:
        return (min(s, o), p, max(s, o)) if p in symmetric else (s, p, o)

    # direct triples = asserted facts
    asserted: set[tuple[int, str, int]] = set()
    for s, p, o in ix.triples():
        if s in index and o in index and str(p).startswith(PKG_NS) and local_name(p) not in _NOT_FACTS:
            asserted.add(key(index[s], local_name(p), index[o]))

    # statement nodes
    statements: list[Statement] = []
    for st in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (ix.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s not in index or o not in index or p is None or not str(p).startswith(PKG_NS):
            continue
        quals: list[tuple[str, str]] = []
        role = _first_text(ix, st, PKG.role)
        if role:
            quals.append(("role", role))
        stake = _num(ix.value(st, PKG.stakePercent))
        if stake is not None:
            quals.append(("stake", f"{_trim(stake)}%"))
        amount = _num(ix.value(st, PKG.amount))
        if amount is not None:
            quals.append(("amount", format_value(amount, _first_text(ix, st, PKG.currency) or "")))
        date = _first_text(ix, st, PKG.date)
        if date:
            quals.append(("date", _date_text(date)))
        art = ix.value(st, PROV.wasDerivedFrom)
        statements.append(Statement(
            subject=index[s], object=index[o], predicate=local_name(p),
            modality=_first_text(ix, st, PKG.modality) or "asserted",
            confidence=_num(ix.value(st, PKG.confidence)),
            extracted_by=_first_text(ix, st, PKG.extractedBy),
            evidence=_first_text(ix, st, PKG.evidence),
            article=art_index.get(art), qualifiers=quals,
        ))

    def art_date(i: int | None) -> str:
        return (articles_raw[i].date or "") if i is not None else ""

    statements.sort(key=lambda st: (art_date(st.article), st.predicate, st.subject, st.object,
                                    st.evidence or ""))

    # group into edges: a fact with a direct triple is one asserted edge (all its statements as
    # evidence, whatever their modality); a fact without one is one edge per modality
    groups: dict[tuple, list[Statement]] = defaultdict(list)
    for k in asserted:
        groups[(k, "asserted")]
    for st in statements:
        k = key(st.subject, st.predicate, st.object)
        groups[(k, "asserted") if k in asserted else (k, st.modality)].append(st)

    edges: list[Edge] = []
    for ((s, p, o), modality), sts in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        confs = [st.confidence for st in sts if st.confidence is not None
                 and (modality != "asserted" or st.modality == "asserted")]
        dates = sorted({art_date(st.article) for st in sts if art_date(st.article)})
        edges.append(Edge(id=len(edges), source=s, target=o, predicate=p, modality=modality,
                          directed=p not in symmetric, confidence=max(confs) if confs else None,
                          statements=sts, dates=dates))

    # nodes
    mentions: dict[int, set[int]] = defaultdict(set)
    stmt_articles: dict[int, set[int]] = defaultdict(set)
    for e in edges:
        for st in e.statements:
            if st.article is not None:
                stmt_articles[e.source].add(st.article)
                stmt_articles[e.target].add(st.article)
    nodes: list[Node] = []
    for i, iri in enumerate(iris):
        for a in ix.objects(iri, PKG.mentionedIn):
            if a in art_index:
                mentions[i].add(art_index[a])
        aliases = sorted({(str(lit), getattr(lit, "language", None) or "")
                          for lit in ix.objects(iri, SKOS.altLabel)})
        label = _label(ix, iri)
        aliases = [a for a in aliases if a[0] != label]
        qids = sorted(m.group(1) for x in ix.objects(iri, OWL.sameAs)
                      if (m := _WIKIDATA.match(str(x))))
        metrics = []
        for m in ix.objects(iri, PKG.hasMetric):
            value, unit = _num(ix.value(m, PKG.value)), _first_text(ix, m, PKG.unit)
            metrics.append(Metric(
                type=_first_text(ix, m, PKG.metricType) or "figure", value=value, unit=unit,
                text=format_value(value, unit), date=_date_text(_first_text(ix, m, PKG.date)),
                evidence=_first_text(ix, m, PKG.evidence),
                article=art_index.get(ix.value(m, PROV.wasDerivedFrom)),
                confidence=_num(ix.value(m, PKG.confidence)),
            ))
        metrics.sort(key=lambda m: (m.type, m.date or "", m.value or 0))
        for m in metrics:
            if m.article is not None:
                stmt_articles[i].add(m.article)
        cls = _class_of(types[iri])
        nodes.append(Node(
            id=i, iri=str(iri), label=label, cls=cls, coarse=CLASS_COARSE[cls], aliases=aliases,
            wikidata=qids[0] if qids else None,
            articles=sorted(mentions[i] | stmt_articles[i]), metrics=metrics,
            mentions=len(mentions[i]) or len(stmt_articles[i]),
        ))
    for e in edges:
        nodes[e.source].degree += 1
        if e.target != e.source:
            nodes[e.target].degree += 1
    total_entities = len(nodes)

    focus_info = None
    if focus is not None:
        centre = find_entity(nodes, focus)
        keep = neighbourhood(centre.id, edges, depth)
        focus_info = {"id": centre.id, "label": centre.label, "depth": depth}
        nodes, edges, focus_info["id"] = _restrict(nodes, edges, keep, centre.id)

    # rank: most connected first (the --max-nodes cut), then most mentioned, then by name
    for r, n in enumerate(sorted(nodes, key=lambda n: (-n.degree, -n.mentions, n.label.casefold(), n.iri))):
        n.rank = r
    if focus_info is not None:
        # the focus entity is always drawn
        centre = nodes[focus_info["id"]]
        for n in nodes:
            if n.rank < centre.rank:
                n.rank += 1
        centre.rank = 0

    _number_parallel(edges)
    for e in edges:
        e.style = edge_style(e)

    used_articles = sorted({a for n in nodes for a in n.articles}
                           | {st.article for e in edges for st in e.statements if st.article is not None})
    articles, remap = [], {}
    for new, old in enumerate(used_articles):
        remap[old] = new
        articles.append(articles_raw[old])
    for n in nodes:
        n.articles = [remap[a] for a in n.articles]
        for m in n.metrics:
            m.article = remap.get(m.article) if m.article is not None else None
    for e in edges:
        for st in e.statements:
            st.article = remap.get(st.article) if st.article is not None else None

    dates = sorted(a.date for a in articles if a.date)
    class_counts = defaultdict(int)
    for n in nodes:
        class_counts[n.cls] += 1
    classes = [{"name": c, "label": CLASS_LABELS.get(c, c), "coarse": CLASS_COARSE[c],
                "color": CLASS_STYLE[c][0], "shape": CLASS_STYLE[c][1], "glyph": CLASS_STYLE[c][2],
                "count": class_counts[c]} for c in ENTITY_CLASSES if class_counts[c]]
    pred_counts = defaultdict(int)
    for e in edges:
        pred_counts[e.predicate] += 1
    preds = sorted(pred_counts, key=lambda p: (PREDICATE_ORDER.index(p) if p in PREDICATE_ORDER
                                               else len(PREDICATE_ORDER), p))
    predicates = [{"name": p, "label": predicate_label(p), "symmetric": p in symmetric,
                   "color": predicate_colour(p), "count": pred_counts[p]} for p in preds]

    return View(
        title=title or "platform-kg ecosystem", nodes=nodes, edges=edges, articles=articles,
        classes=classes, predicates=predicates, total_entities=total_entities,
        max_nodes=max_nodes if max_nodes is not None and max_nodes < len(nodes) else None,
        focus=focus_info, date_min=dates[0] if dates else None, date_max=dates[-1] if dates else None,
    )


def predicate_colour(p: str) -> str:
    if p in PREDICATE_ORDER:
        return _PRED_COLOURS[PREDICATE_ORDER.index(p)]
    return _PRED_COLOURS[sum(map(ord, p)) % len(_PRED_COLOURS)]


def edge_style(e: Edge) -> dict:
    """vis-network options for one edge: colour by predicate, arrow if directed, dashes by modality,
    width and opacity by confidence (unknown confidence = 0.5)."""
    conf = 0.5 if e.confidence is None else max(0.0, min(1.0, e.confidence))
    colour = predicate_colour(e.predicate)
    if e.modality == "negated":
        colour = "#888888"
    alpha = 0.35 + 0.65 * conf
    style = {
        "color": {"color": colour, "opacity": round(alpha, 2), "highlight": colour, "hover": colour},
        "width": round(1 + 3 * conf, 2) if e.modality == "asserted" else 1.5,
        "dashes": MODALITY_DASHES.get(e.modality, [8, 6]),
        "arrows": {"to": {"enabled": e.directed, "scaleFactor": 0.6}},
    }
    if e.curve:
        style["smooth"] = {"enabled": True, "type": "curvedCW" if e.curve % 2 else "curvedCCW",
                           "roundness": 0.35 * ((e.curve + 1) // 2)}
    return style


def _number_parallel(edges: list[Edge]) -> None:
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for e in edges:
        pair = (min(e.source, e.target), max(e.source, e.target))
        e.curve = seen[pair]
        seen[pair] += 1


def find_entity(nodes: list[Node], name: str) -> Node:
    """The entity named by an IRI, an IRI's local path, a label or an alias (case and width folded)."""
    want = normalise(name)
    for test in (lambda n: n.iri == name or n.iri.endswith("/" + name),
                 lambda n: normalise(n.label) == want,
                 lambda n: any(normalise(a) == want for a, _ in n.aliases)):
        found = [n for n in nodes if test(n)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            opts = ", ".join(f"{n.label} <{n.iri}>" for n in found[:5])
            raise KGError(f"--focus {name!r} names {len(found)} entities ({opts}); give the IRI instead")
    close = [n.label for n in nodes if want and want in normalise(n.label)][:5]
    hint = f"did you mean: {', '.join(close)}?" if close else "give a label, an alias or an IRI from the graph"
    raise KGError(f"--focus {name!r}: no entity has this name, alias or IRI ({hint})")


def neighbourhood(centre: int, edges: list[Edge], depth: int) -> set[int]:
    """Entities within ``depth`` links of ``centre`` (any direction, any modality)."""
    import networkx as nx

    g = nx.Graph()
    g.add_node(centre)
    g.add_edges_from((e.source, e.target) for e in edges)
    return set(nx.single_source_shortest_path_length(g, centre, cutoff=depth))


def _restrict(nodes: list[Node], edges: list[Edge], keep: set[int], centre: int):
    old_to_new = {}
    kept = []
    for n in nodes:
        if n.id in keep:
            old_to_new[n.id] = len(kept)
            n.id = len(kept)
            kept.append(n)
    kept_edges = []
    for e in edges:
        if e.source in old_to_new and e.target in old_to_new:
            e.source, e.target = old_to_new[e.source], old_to_new[e.target]
            for st in e.statements:
                st.subject = old_to_new.get(st.subject, st.subject)
                st.object = old_to_new.get(st.object, st.object)
            e.id = len(kept_edges)
            kept_edges.append(e)
    for n in kept:
        n.degree = 0
    for e in kept_edges:
        kept[e.source].degree += 1
        if e.target != e.source:
            kept[e.target].degree += 1
    return kept, kept_edges, old_to_new[centre]
