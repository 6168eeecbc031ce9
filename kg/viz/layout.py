"""Where each entity goes, computed before the page is written (the browser only draws).

ForceAtlas2 (Jacomy et al. 2014, the layout Gephi users know): linear attraction along edges,
repulsion ``m_i m_j / d`` with masses ``degree + 1`` (so hubs push their leaves apart and sit in the
middle of their group), gravity towards the centre, and FA2's adaptive global speed (swing/traction).

Why not ``networkx.forceatlas2_layout``: it builds a dense ``n x n x 2`` float64 difference array
and a dense adjacency matrix on every step, O(n^2) time and memory (400 MB per array at 5,000
nodes). Here the repulsion is exact below :data:`EXACT_BELOW` nodes (float32, in row blocks) and,
above it, computed on a grid by particle-mesh: masses are spread onto a G x G grid, convolved with
the 1/d kernel by FFT and read back at each node, O(n + G^2 log G) per step with G ~ 2 sqrt(n).
The grid smooths forces below one cell, so a final collision pass (spatial hashing, O(n)) pushes
apart discs that still overlap, which is what makes clicks land on the node drawn under the pointer.

Isolated entities (no relation) carry no structure: they go on rings around the laid-out graph,
most mentioned first, instead of crowding the middle or lining up in rows.

Everything is seeded: the same graph gives the same positions.
"""
from __future__ import annotations

import math

EXACT_BELOW = 200           # nodes: exact pairwise repulsion below, particle-mesh above
EDGE_LENGTH = 90.0          # canvas units: the median edge is scaled to this length
NODE_RADIUS = (8.0, 36.0)   # the page's node radius range (vis-network `scaling`), canvas units


def positions(n: int, edges: list[tuple[int, int]], *, order: list[int] | None = None,
              radius=None, seed: int = 7, iterations: int | None = None):
    """(n, 2) float64 canvas positions for nodes ``0..n-1``.

    ``edges`` are undirected pairs (parallel ones add weight); ``order`` ranks nodes for the rim of
    isolated nodes (first = nearest the graph); ``radius`` is each node's drawn radius (for the
    collision pass), default :data:`NODE_RADIUS`'s minimum.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = np.zeros((n, 2))
    if n == 0:
        return pos
    radius = np.full(n, NODE_RADIUS[0]) if radius is None else np.asarray(radius, dtype=np.float64)
    src, dst, w = _simple_edges(n, edges)
    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    linked = np.flatnonzero(deg > 0)
    if len(linked):
        ix = np.full(n, -1)
        ix[linked] = np.arange(len(linked))
        local = forceatlas2(len(linked), ix[src], ix[dst], w, rng, iterations=iterations)
        local = _scale(local, ix[src], ix[dst], radius[linked] + 4.0)
        local = remove_overlaps(local, radius[linked] + 4.0)
        pos[linked] = local
    isolated = np.flatnonzero(deg == 0)
    if len(isolated) and order is not None:
        rank = np.empty(n, dtype=np.int64)
        rank[np.asarray(order)] = np.arange(n)
        isolated = isolated[np.argsort(rank[isolated], kind="stable")]
    # every connected component keeps its shape; the biggest sits in the middle, the others and then
    # the isolated nodes go on rings around it (FA2's gravity alone leaves them far out)
    groups = _components(n, src, dst, linked) + [np.array([v]) for v in isolated]
    return _pack(pos, groups, radius)


def _components(n, src, dst, linked):
    """Connected components of the linked nodes, biggest first (ties: lowest node)."""
    import networkx as nx
    import numpy as np

    g = nx.Graph()
    g.add_nodes_from(linked.tolist())
    g.add_edges_from(zip(src.tolist(), dst.tolist()))
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    return [np.array(c) for c in comps]


def _pack(pos, groups, radius, gap: float = 3.0 * NODE_RADIUS[0]):
    """Place groups of nodes (each keeping its relative layout) on rings around the first one."""
    import numpy as np

    out = np.zeros_like(pos)
    if not groups:
        return out
    first = groups[0]
    centre = pos[first].mean(axis=0)
    out[first] = pos[first] - centre
    ring_r = float((np.sqrt((out[first] ** 2).sum(axis=1)) + radius[first]).max())
    rest = groups[1:]
    i = 0
    while i < len(rest):
        # one ring: as many groups as fit around it, spread evenly
        sizes = []
        for grp in rest[i:]:
            local = pos[grp] - pos[grp].mean(axis=0)
            sizes.append(float((np.sqrt((local ** 2).sum(axis=1)) + radius[grp]).max()))
            if len(sizes) > 1 and sum(2 * s + gap for s in sizes) > 2 * math.pi * (ring_r + gap + max(sizes)):
                sizes.pop()
                break
        width = max(sizes)
        r = ring_r + gap + width
        total = sum(2 * s + gap for s in sizes)
        angle = -math.pi / 2
        for grp, s in zip(rest[i:i + len(sizes)], sizes):
            step = 2 * math.pi * (2 * s + gap) / total          # spread evenly round the ring
            a = angle + step / 2
            local = pos[grp] - pos[grp].mean(axis=0)
            out[grp] = local + np.array([r * math.cos(a), r * math.sin(a)])
            angle += step
        i += len(sizes)
        ring_r = r + width
    return out


def _scale(pos, src, dst, radius):
    """Layout units -> canvas units: the median edge :data:`EDGE_LENGTH` long, but never so dense that
    the discs (``radius``) could not fit: the disc holding 90 % of the nodes gets at least 1.6 times
    their summed area, so the collision pass only has local work left."""
    import numpy as np

    pos = pos - pos.mean(axis=0)
    lengths = np.sqrt(((pos[src] - pos[dst]) ** 2).sum(axis=1))
    by_edges = EDGE_LENGTH / max(float(np.median(lengths)), 1e-9)
    r90 = max(float(np.percentile(np.sqrt((pos ** 2).sum(axis=1)), 90)), 1e-9)
    need = 1.6 * 0.9 * float((np.pi * radius ** 2).sum())
    by_area = math.sqrt(need / math.pi) / r90
    return pos * max(by_edges, by_area)


def _simple_edges(n, edges):
    """Undirected, loop-free, de-duplicated edges as (src, dst, weight) arrays."""
    import numpy as np

    if not edges:
        z = np.zeros(0, dtype=np.int64)
        return z, z, np.zeros(0)
    e = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    e = e[e[:, 0] != e[:, 1]]
    e.sort(axis=1)
    keys, counts = np.unique(e[:, 0] * n + e[:, 1], return_counts=True)
    return keys // n, keys % n, counts.astype(np.float64)


def forceatlas2(n, src, dst, w, rng, *, iterations=None, scaling=2.0, gravity=1.0):
    """ForceAtlas2 on a graph without isolated nodes; returns (n, 2) positions in layout units."""
    import numpy as np

    if n == 1:
        return np.zeros((1, 2))
    mass = (np.bincount(src, minlength=n) + np.bincount(dst, minlength=n) + 1).astype(np.float64)
    pos = (rng.random((n, 2)) - 0.5) * math.sqrt(n) * 10
    if iterations is None:
        iterations = 300 if n < 2000 else 180
    exact = n < EXACT_BELOW
    speed, efficiency = 1.0, 1.0
    old = np.zeros((n, 2))
    for it in range(iterations):
        force = scaling * (_repulsion_exact(pos, mass) if exact else _repulsion_grid(pos, mass))
        centred = pos - pos.mean(axis=0)
        norm = np.sqrt((centred ** 2).sum(axis=1, keepdims=True)) + 1e-9
        force -= gravity * mass[:, None] * centred / norm
        delta = (pos[src] - pos[dst]) * w[:, None]           # linear attraction
        for k in (0, 1):
            force[:, k] -= np.bincount(src, delta[:, k], minlength=n)
            force[:, k] += np.bincount(dst, delta[:, k], minlength=n)
        # adaptive speed (FA2 section "Adaptive speed"), as Gephi and networkx do it
        swinging = np.sqrt(((force - old) ** 2).sum(axis=1))
        traction = np.sqrt(((force + old) ** 2).sum(axis=1)) / 2
        swing, tract = float((mass * swinging).sum()), float((mass * traction).sum())
        speed, efficiency = _adapt_speed(n, speed, efficiency, swing, tract)
        factor = speed / (1 + np.sqrt(speed * swinging))
        fnorm = np.sqrt((force ** 2).sum(axis=1)) + 1e-9
        factor = np.minimum(factor * fnorm, 10.0) / fnorm    # no node jumps more than 10 units
        pos += force * factor[:, None]
        old = force
    return pos


def _adapt_speed(n, speed, efficiency, swing, traction, tolerance=1.0):
    opt_jitter = 0.05 * math.sqrt(n)
    min_jitter = math.sqrt(opt_jitter)
    jitter = tolerance * max(min_jitter, min(10.0, opt_jitter * traction / n ** 2))
    if traction > 0 and swing / traction > 2.0:
        if efficiency > 0.05:
            efficiency *= 0.5
        jitter = max(jitter, tolerance)
    target = math.inf if swing == 0 else jitter * efficiency * traction / swing
    if swing > jitter * traction:
        if efficiency > 0.05:
            efficiency *= 0.7
    elif speed < 1000:
        efficiency *= 1.3
    return speed + min(target - speed, 0.5 * speed), efficiency


def _repulsion_exact(pos, mass, block=1024):
    """Sum over j of m_i m_j (p_i - p_j) / |p_i - p_j|^2, exactly: with F_ij = m_j / d_ij^2 that is
    m_i (p_i sum_j F_ij - (F p)_i), two matrix products per row block (float32)."""
    import numpy as np

    p = pos.astype(np.float32)
    m = mass.astype(np.float32)
    sq = (p ** 2).sum(axis=1)
    out = np.zeros_like(pos)
    for a in range(0, len(p), block):
        d2 = sq[a:a + block, None] + sq[None, :] - 2 * (p[a:a + block] @ p.T)
        np.maximum(d2, 1e-2, out=d2)
        f = m[None, :] / d2
        f[np.arange(len(d2)), np.arange(a, a + len(d2))] = 0.0
        out[a:a + block] = (p[a:a + block] * f.sum(axis=1)[:, None] - f @ p) * mass[a:a + block, None]
    return out


def _repulsion_grid(pos, mass):
    """The same sum by particle-mesh: cloud-in-cell deposit, FFT convolution, bilinear read-back."""
    import numpy as np

    n = len(pos)
    g = int(min(256, max(64, 2 ** math.ceil(math.log2(math.sqrt(n))))))
    lo = pos.min(axis=0)
    span = float((pos.max(axis=0) - lo).max()) * 1.02 + 1e-6
    h = span / (g - 1)
    u = (pos - lo) / h
    i0 = np.clip(np.floor(u).astype(np.int64), 0, g - 2)
    t = u - i0
    wts = [((0, 0), (1 - t[:, 0]) * (1 - t[:, 1])), ((1, 0), t[:, 0] * (1 - t[:, 1])),
           ((0, 1), (1 - t[:, 0]) * t[:, 1]), ((1, 1), t[:, 0] * t[:, 1])]
    flat = np.zeros(4 * g * g)
    for (dx, dy), wt in wts:
        flat += np.bincount((i0[:, 0] + dx) * 2 * g + i0[:, 1] + dy, wt * mass, minlength=4 * g * g)
    grid = flat.reshape(2 * g, 2 * g)
    # one complex transform pair: the kernel kx + i ky gives fx as the real part, fy as the imaginary
    field = np.fft.ifft2(np.fft.fft2(grid) * _kernel_hat(g)) / h
    fx, fy = field.real, field.imag
    out = np.zeros((n, 2))
    for (dx, dy), wt in wts:
        out[:, 0] += wt * fx[i0[:, 0] + dx, i0[:, 1] + dy]
        out[:, 1] += wt * fy[i0[:, 0] + dx, i0[:, 1] + dy]
    return out * mass[:, None]


_KERNELS: dict = {}


def _kernel_hat(g):
    """FFT of the kernel (u + i v) / (u^2 + v^2) on a (2g, 2g) periodic grid (zero at the origin)."""
    import numpy as np

    if g not in _KERNELS:
        k = np.arange(2 * g)
        k = np.where(k < g, k, k - 2 * g).astype(np.float64)
        u, v = np.meshgrid(k, k, indexing="ij")
        r2 = u * u + v * v
        r2[0, 0] = 1.0
        kx, ky = u / r2, v / r2
        kx[0, 0] = ky[0, 0] = 0.0
        _KERNELS[g] = np.fft.fft2(kx + 1j * ky)
    return _KERNELS[g]


def remove_overlaps(pos, radius, rounds: int = 30):
    """Push apart discs (centre ``pos``, ``radius``) that overlap, via a spatial hash: O(n) a round."""
    import numpy as np

    pos = pos.copy()
    n = len(pos)
    if n < 2:
        return pos
    cell = 2 * float(radius.max())
    for _ in range(rounds):
        i, j = _near_pairs(pos, cell)
        if not len(i):
            break
        d = pos[i] - pos[j]
        dist = np.sqrt((d ** 2).sum(axis=1))
        need = radius[i] + radius[j]
        hit = dist < need
        if not hit.any():
            break
        i, j, d, dist, need = i[hit], j[hit], d[hit], dist[hit], need[hit]
        # coincident centres: separate along a fixed, index-derived direction
        same = dist < 1e-6
        ang = (i[same] * 2.399963) % (2 * math.pi)
        d[same] = np.stack([np.cos(ang), np.sin(ang)], axis=1)
        dist[same] = 1.0
        push = ((need - dist) / 2 + 0.01)[:, None] * d / dist[:, None]
        move = np.zeros_like(pos)
        for k in (0, 1):
            move[:, k] += np.bincount(i, push[:, k], minlength=n)
            move[:, k] -= np.bincount(j, push[:, k], minlength=n)
        pos += move
    return pos


def _near_pairs(pos, cell):
    """All pairs (i < j in hash order) whose cells touch: candidate overlaps."""
    import numpy as np

    c = np.floor(pos / cell).astype(np.int64)
    c -= c.min(axis=0)
    width = int(c[:, 1].max()) + 3
    key = c[:, 0] * width + c[:, 1]
    order = np.argsort(key, kind="stable")
    skey = key[order]
    uniq, start, count = np.unique(skey, return_index=True, return_counts=True)
    ii, jj = [], []
    for off in (0, width - 1, width, width + 1, 1):       # own cell and 4 forward neighbours
        want = skey + off
        at = np.searchsorted(uniq, want)
        at = np.minimum(at, len(uniq) - 1)
        ok = uniq[at] == want
        a_idx = np.flatnonzero(ok)
        cnt = count[at[a_idx]]
        st = start[at[a_idx]]
        rep_a = np.repeat(a_idx, cnt)
        b_idx = np.repeat(st - np.cumsum(cnt) + cnt, cnt) + np.arange(cnt.sum())
        if off == 0:
            keep = b_idx > rep_a
            rep_a, b_idx = rep_a[keep], b_idx[keep]
        ii.append(order[rep_a])
        jj.append(order[b_idx])
    return np.concatenate(ii), np.concatenate(jj)
