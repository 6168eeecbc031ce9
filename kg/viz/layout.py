"""Node positions computed before writing, for graphs too big for the browser to lay out quickly.

Above :data:`PRECOMPUTE_ABOVE` nodes the page gets fixed x/y and vis-network's physics is off, so the
first render is a single draw (the 2,000-node benchmark renders in about a second). networkx gives
the structure (connected components); each component is laid out with a vectorised
Fruchterman-Reingold in numpy. networkx's own ``spring_layout`` needs scipy above 500 nodes, which
is not a dependency of ours, and its dense solver is ~3x slower (float64, (n, n, 2) temporaries).
Components are then packed on rows, biggest first, so isolated pairs don't scatter across the canvas.
"""
from __future__ import annotations

import math

PRECOMPUTE_ABOVE = 300
SPACING = 55.0          # canvas units per unit of FR's ideal edge length


def spring_positions(n: int, edges: list[tuple[int, int]], *, iterations: int = 60,
                     seed: int = 7) -> list[tuple[float, float]]:
    """Positions for nodes ``0..n-1`` (deterministic for a given input), in canvas units."""
    import networkx as nx
    import numpy as np

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges)
    rng = np.random.default_rng(seed)
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    pos = np.zeros((n, 2), dtype=np.float64)
    placed = []                                 # (nodes, local positions, radius)
    for comp in comps:
        if len(comp) == 1:
            local = np.zeros((1, 2))
        else:
            ix = {v: i for i, v in enumerate(comp)}
            sub = [(ix[a], ix[b]) for a, b in g.subgraph(comp).edges() if a != b]
            local = _fruchterman_reingold(len(comp), sub, iterations, rng)
        local = local - local.mean(axis=0)
        radius = float(np.sqrt((local ** 2).sum(axis=1)).max()) if len(comp) > 1 else 0.0
        placed.append((comp, local, radius + SPACING))
    # pack: the giant component at the origin, the others in rows beneath it
    y = 0.0
    first = True
    row_x, row_h = 0.0, 0.0
    width = max(2 * placed[0][2], 600.0) if placed else 0.0
    for comp, local, r in placed:
        if first:
            centre = (0.0, 0.0)
            y = r
            row_x = -width / 2
            first = False
        else:
            if row_x + 2 * r > width / 2 and row_x > -width / 2:
                y += row_h
                row_x, row_h = -width / 2, 0.0
            centre = (row_x + r, y + r)
            row_x += 2 * r
            row_h = max(row_h, 2 * r)
        pos[comp] = local + np.asarray(centre)
    return [(round(float(x), 1), round(float(y_), 1)) for x, y_ in pos]


def _fruchterman_reingold(n, edges, iterations, rng):
    """Fruchterman-Reingold on one connected component; returns canvas-unit positions."""
    import numpy as np

    k = 1.0                                      # ideal edge length (scaled below)
    side = math.sqrt(n) * k
    pos = (rng.random((n, 2), dtype=np.float32) - 0.5) * side
    if edges:
        src = np.fromiter((a for a, _ in edges), dtype=np.int64, count=len(edges))
        dst = np.fromiter((b for _, b in edges), dtype=np.int64, count=len(edges))
    temp = side / 10
    cool = temp / (iterations + 1)
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    for _ in range(iterations):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        d2 = dx * dx + dy * dy
        np.maximum(d2, 1e-4, out=d2)
        f = (k * k) / d2                         # repulsion k^2/d, along (dx, dy)/d
        disp_x = (dx * f).sum(axis=1)
        disp_y = (dy * f).sum(axis=1)
        if edges:
            ex, ey = x[src] - x[dst], y[src] - y[dst]
            dist = np.sqrt(ex * ex + ey * ey) + 1e-6
            a = dist / k                         # attraction d^2/k, along (ex, ey)/d
            fx, fy = ex * a, ey * a
            disp_x -= np.bincount(src, fx, minlength=n).astype(np.float32)
            disp_x += np.bincount(dst, fx, minlength=n).astype(np.float32)
            disp_y -= np.bincount(src, fy, minlength=n).astype(np.float32)
            disp_y += np.bincount(dst, fy, minlength=n).astype(np.float32)
        length = np.sqrt(disp_x * disp_x + disp_y * disp_y) + 1e-9
        step = np.minimum(length, temp) / length
        x += disp_x * step
        y += disp_y * step
        temp -= cool
    return np.stack([x, y], axis=1).astype(np.float64) * SPACING
