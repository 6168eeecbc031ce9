"""The ecosystem at a glance (``kg stats``): counts, time span, central actors, components, communities.

:func:`compute_stats` returns plain data (JSON-ready); :func:`format_stats` renders it for people.
Centrality and communities use the undirected actor graph of :func:`kg.to_networkx` (symmetric
predicates are stored in one direction only, so direction would be arbitrary for them); parallel
relations between two actors count once for degree and add up as edge weight for PageRank and
communities. Louvain runs with a fixed seed: the same graph gives the same communities.
"""
from __future__ import annotations

from collections import Counter

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF

from kg.export.networkx import to_networkx
from kg.rdf.namespace import PKG, PREDICATES

__all__ = ["compute_stats", "format_stats", "actor_graph"]


def actor_graph(graph: Graph):
    """Undirected simple graph of entities; edge ``weight`` = number of distinct relations."""
    import networkx as nx

    multi = to_networkx(graph)
    g = nx.Graph()
    g.add_nodes_from(multi.nodes(data=True))
    for s, o, k in multi.edges(keys=True):
        if s == o:
            continue
        if g.has_edge(s, o):
            g[s][o]["weight"] += 1
            g[s][o]["predicates"].append(k)
        else:
            g.add_edge(s, o, weight=1, predicates=[k])
    return g


def pagerank_of(g, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict:
    """Weighted PageRank by power iteration on an undirected graph.

    Pure Python on purpose: ``networkx.pagerank`` needs scipy, which the project does not ship, and
    ecosystem graphs are small (hundreds of actors).
    """
    n = len(g)
    if n == 0:
        return {}
    strength = {u: sum(d.get("weight", 1) for _, _, d in g.edges(u, data=True)) for u in g}
    rank = dict.fromkeys(g, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[u] for u in g if strength[u] == 0) / n
        new = dict.fromkeys(g, (1.0 - alpha) / n + dangling)
        for u in g:
            if strength[u]:
                share = alpha * rank[u] / strength[u]
                for _, v, d in g.edges(u, data=True):
                    new[v] += share * d.get("weight", 1)
        if sum(abs(new[u] - rank[u]) for u in g) < n * tol:
            return new
        rank = new
    return rank


def _actor(g, node, **extra) -> dict:
    d = g.nodes[node]
    return {"iri": node, "label": d.get("label", ""), "class": d.get("class", ""), **extra}


def compute_stats(graph: Graph, top: int = 10) -> dict:
    import networkx as nx

    g = actor_graph(graph)
    classes = Counter(d["class"] for _, d in g.nodes(data=True))
    facts = Counter({p: n for p in PREDICATES if (n := sum(1 for _ in graph.triples((None, PKG[p], None))))})
    statements = Counter()
    modalities = Counter()
    for st in graph.subjects(RDF.type, RDF.Statement):
        pred = graph.value(st, RDF.predicate)
        statements[str(pred).rsplit("#", 1)[-1]] += 1
        modalities[str(graph.value(st, PKG.modality) or "asserted")] += 1
    metrics = Counter(str(graph.value(m, PKG.metricType) or "?") for m in graph.subjects(RDF.type, PKG.Metric))
    articles = set(graph.subjects(RDF.type, PKG.Article))
    dates = sorted(str(d)[:10] for a in articles for d in graph.objects(a, DCTERMS.date))

    degree = sorted(g.degree(), key=lambda kv: (-kv[1], g.nodes[kv[0]].get("label", ""), kv[0]))
    pagerank = pagerank_of(g)
    pr_sorted = sorted(pagerank.items(), key=lambda kv: (-kv[1], g.nodes[kv[0]].get("label", ""), kv[0]))
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c))
    connected = g.subgraph(n for n in g if g.degree(n) > 0)
    communities = []
    if connected.number_of_edges():
        parts = nx.community.louvain_communities(connected, weight="weight", seed=42)
        parts = sorted(parts, key=lambda c: (-len(c), min(c)))
        for i, members in enumerate(parts, 1):
            ranked = sorted(members, key=lambda n: (-g.degree(n), g.nodes[n].get("label", ""), n))
            communities.append({"id": i, "size": len(members),
                                "top_members": [_actor(g, n, degree=g.degree(n)) for n in ranked[:5]]})
    return {
        "triples": len(graph),
        "entities": len(g),
        "entities_per_class": dict(sorted(classes.items(), key=lambda kv: (-kv[1], kv[0]))),
        "relations": sum(facts.values()),
        "facts_per_predicate": dict(sorted(facts.items(), key=lambda kv: (-kv[1], kv[0]))),
        "statements_per_predicate": dict(sorted(statements.items(), key=lambda kv: (-kv[1], kv[0]))),
        "statements_per_modality": dict(sorted(modalities.items(), key=lambda kv: (-kv[1], kv[0]))),
        "metrics_per_type": dict(sorted(metrics.items(), key=lambda kv: (-kv[1], kv[0]))),
        "articles": len(articles),
        "date_span": {"first": dates[0], "last": dates[-1]} if dates else None,
        "top_degree": [_actor(g, n, degree=d) for n, d in degree[:top]],
        "top_pagerank": [_actor(g, n, pagerank=round(v, 4)) for n, v in pr_sorted[:top]],
        "components": {"count": len(components), "sizes": [len(c) for c in components[:top]],
                       "isolated": sum(1 for n in g if g.degree(n) == 0)},
        "communities": communities[:top],
    }


def _table(rows: list[tuple], indent: str = "  ") -> list[str]:
    if not rows:
        return [indent + "(none)"]
    width = max(len(str(r[0])) for r in rows)
    return [f"{indent}{str(r[0]).ljust(width)}  " + "  ".join(str(x) for x in r[1:]) for r in rows]


def format_stats(stats: dict) -> str:
    """The stats as a short plain-text report."""
    span = stats["date_span"]
    lines = [
        f"{stats['entities']} entities, {stats['relations']} relations, {stats['articles']} articles"
        + (f" ({span['first']} .. {span['last']})" if span else "") + f", {stats['triples']} triples",
        "",
        "Entities per class",
        *_table(list(stats["entities_per_class"].items())),
        "",
        "Facts per predicate (direct triples)",
        *_table(list(stats["facts_per_predicate"].items())),
    ]
    if stats["statements_per_modality"]:
        lines += ["", "Statements per modality", *_table(list(stats["statements_per_modality"].items()))]
    if stats["metrics_per_type"]:
        lines += ["", "Metrics per type", *_table(list(stats["metrics_per_type"].items()))]
    lines += ["", "Most connected actors (degree)",
              *_table([(a["label"], a["degree"], a["class"]) for a in stats["top_degree"]]),
              "", "Most central actors (PageRank)",
              *_table([(a["label"], f"{a['pagerank']:.4f}", a["class"]) for a in stats["top_pagerank"]])]
    comp = stats["components"]
    lines += ["", f"Connected components: {comp['count']} (largest: {', '.join(map(str, comp['sizes'][:5]))};"
                  f" {comp['isolated']} isolated entities)"]
    if stats["communities"]:
        lines += ["", "Communities (Louvain)"]
        for c in stats["communities"]:
            members = ", ".join(m["label"] for m in c["top_members"])
            lines.append(f"  #{c['id']} ({c['size']} actors): {members}")
    return "\n".join(lines)
