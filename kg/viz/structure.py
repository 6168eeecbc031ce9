"""What the map shows at a glance: positions, communities, PageRank, node sizes, cluster nodes.

:func:`arrange` fills these into a :class:`kg.viz.data.View` before the page is written, so the
browser never runs a layout (physics is off; the page's "Relax" button may run it briefly).

- Communities are Louvain's with the weights and seed ``kg stats`` uses (parallel relations add
  weight, seed 42), so the colours match the communities it lists. Louvain in networkx is pure Python
  and takes ~2 s on 5,000 and ~20 s on 20,000 linked entities; above :data:`LOUVAIN_MAX` linked entities the page
  uses networkx's fast label propagation (seeded) instead and says so.
- PageRank is :func:`kg.analytics.pagerank_of`'s, computed with numpy (same result, see the tests).
- Above :data:`AGGREGATE_ABOVE` entities the first view draws one node per community (at its members'
  centroid, sized by their number, named after its best-connected member) and one edge per pair of
  communities that share relations; a click opens a community.
"""
from __future__ import annotations

import math

from kg.viz.layout import NODE_RADIUS, positions

LOUVAIN_MAX = 8000
AGGREGATE_ABOVE = 2000
COMMUNITY_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                     "#ff9da7", "#9c755f", "#499894", "#d37295", "#86bcb6", "#a0cbe8", "#8cd17d",
                     "#f1ce63", "#bab0ac"]
OTHER_COLOUR = "#c7c7c7"


def radius(values, lo: float = NODE_RADIUS[0], hi: float = NODE_RADIUS[1]):
    """Node radius for each value: area proportional to the value (the page uses the same formula)."""
    import numpy as np

    v = np.asarray(values, dtype=np.float64)
    top = float(v.max()) if len(v) else 0.0
    if top <= 0:
        return np.full(len(v), lo)
    return lo + (hi - lo) * np.sqrt(np.clip(v, 0, None) / top)


def pagerank(n: int, edges, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200):
    """Weighted PageRank on the undirected graph as :func:`kg.analytics.pagerank_of` computes it
    (parallel relations add weight, loops ignored); numpy, since that one takes seconds at 20k."""
    import numpy as np

    from kg.viz.layout import _simple_edges

    if n == 0:
        return np.zeros(0)
    src, dst, w = _simple_edges(n, edges)
    a, b = np.concatenate([src, dst]), np.concatenate([dst, src])
    ww = np.concatenate([w, w])
    strength = np.bincount(a, ww, minlength=n)
    rank = np.full(n, 1.0 / n)
    share = ww / np.where(strength[a] > 0, strength[a], 1.0)
    for _ in range(max_iter):
        dangling = alpha * rank[strength == 0].sum() / n
        new = (1 - alpha) / n + dangling + alpha * np.bincount(b, rank[a] * share, minlength=n)
        if np.abs(new - rank).sum() < n * tol:
            return new
        rank = new
    return rank


def communities(n: int, edges) -> tuple[list[int], str]:
    """Community index per node (0 = largest; -1 = no relation) and the method used."""
    import networkx as nx

    from kg.viz.layout import _simple_edges

    src, dst, w = _simple_edges(n, edges)
    g = nx.Graph()
    g.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), w.tolist()))
    if g.number_of_nodes() <= LOUVAIN_MAX:
        parts, method = nx.community.louvain_communities(g, weight="weight", seed=42), "Louvain"
    else:
        parts = nx.community.fast_label_propagation_communities(g, weight="weight", seed=42)
        method = "label propagation"
    parts = sorted((sorted(p) for p in parts), key=lambda c: (-len(c), c[0]))
    out = [-1] * n
    for i, members in enumerate(parts):
        for v in members:
            out[v] = i
    return out, method


def arrange(view, *, seed: int = 7) -> None:
    """Positions, communities, PageRank and (for big views) cluster nodes, written into ``view``."""
    import numpy as np

    nodes = view.nodes
    n = len(nodes)
    pairs = [(e.source, e.target) for e in view.edges]
    pr = pagerank(n, pairs)
    comm, method = communities(n, pairs)
    degree = np.array([nd.degree for nd in nodes], dtype=np.float64)
    mentions = np.array([nd.mentions for nd in nodes], dtype=np.float64)
    # the page can size by any of the three: leave room for the biggest
    room = np.maximum.reduce([radius(degree), radius(pr), radius(mentions)]) if n else np.zeros(0)
    order = [nd.id for nd in sorted(nodes, key=lambda nd: nd.rank)]
    pos = positions(n, pairs, order=order, radius=room, seed=seed)
    for nd in nodes:
        nd.x, nd.y = round(float(pos[nd.id, 0]), 1), round(float(pos[nd.id, 1]), 1)
        nd.pagerank = round(float(pr[nd.id]), 6)
        nd.community = comm[nd.id]
    view.layout = "precomputed"
    n_comm = max(comm, default=-1) + 1
    view.communities = [{"id": c, "color": COMMUNITY_COLOURS[c] if c < len(COMMUNITY_COLOURS) else OTHER_COLOUR}
                        for c in range(n_comm)]
    view.community_method = method
    if n > AGGREGATE_ABOVE:
        view.clusters, view.cluster_edges = _clusters(view, n_comm)


def _clusters(view, n_comm: int):
    """One cluster per community (isolated entities together as one), and edges between clusters."""
    from collections import defaultdict

    members: dict[int, list] = defaultdict(list)
    for nd in view.nodes:
        members[nd.community].append(nd)
    clusters = []
    for c in sorted(members, key=lambda c: (c < 0, c)):
        ms = members[c]
        top = min(ms, key=lambda nd: nd.rank)
        if c < 0:
            # the rim: put the cluster where its first member sits
            x, y = top.x, top.y
            label = f"{len(ms):,} entities without relations"
        else:
            x = sum(nd.x for nd in ms) / len(ms)
            y = sum(nd.y for nd in ms) / len(ms)
            label = f"{top.label} +{len(ms) - 1:,}"
        colour = OTHER_COLOUR if c < 0 or c >= len(COMMUNITY_COLOURS) else COMMUNITY_COLOURS[c]
        clusters.append({"id": c, "label": label, "size": len(ms), "top": top.id, "color": colour,
                         "x": round(x, 1), "y": round(y, 1),
                         "radius": round(min(80.0, 12.0 + 6.0 * math.sqrt(len(ms))), 1)})
    # keep cluster discs apart as the nodes are
    import numpy as np

    from kg.viz.layout import remove_overlaps

    if clusters:
        p = remove_overlaps(np.array([[c["x"], c["y"]] for c in clusters]),
                            np.array([c["radius"] + 6.0 for c in clusters]), rounds=60)
        for c, (x, y) in zip(clusters, p):
            c["x"], c["y"] = round(float(x), 1), round(float(y), 1)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for e in view.edges:
        a, b = view.nodes[e.source].community, view.nodes[e.target].community
        if a != b:
            counts[(min(a, b), max(a, b))] += 1
    cluster_edges = [{"a": a, "b": b, "count": k} for (a, b), k in sorted(counts.items())]
    return clusters, cluster_edges
