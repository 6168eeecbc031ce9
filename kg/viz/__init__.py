"""The ecosystem viewer: graph -> plain nodes/edges data -> one offline, self-contained HTML page.

    from kg.viz import build_view, write_html
    view = build_view(graph)                       # plain data, no HTML (kg.viz.data)
    write_html(graph, "out/graph.html", focus="Xiaohongshu", depth=2, max_nodes=500)

See docs/viewer.md for what the page shows.
"""
from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from kg.viz.data import View, build_view

__all__ = ["View", "VizResult", "build_view", "render_html", "write_html"]


@dataclass
class VizResult:
    """What :func:`write_html` wrote."""

    path: Path
    nodes: int              # entities in the page
    edges: int              # edges in the page
    clusters: int           # community nodes in the first view (0: every entity drawn)
    drawn_nodes: int        # drawn at first render (all, or the --max-nodes most connected)
    total_entities: int     # in the whole graph
    layout: str             # "precomputed"
    bytes: int
    renderer: str = "canvas"  # "canvas" (vis-network) or "webgl" (sigma.js)


def render_html(graph, *, focus: str | None = None, depth: int = 2, max_nodes: int | None = None,
                title: str | None = None, renderer: str = "auto") -> tuple[str, View]:
    """The page as a string, and the view it shows, laid out before writing (kg.viz.structure).
    ``renderer``: "auto" (WebGL above :data:`kg.viz.page.WEBGL_ABOVE` entities or
    :data:`kg.viz.page.WEBGL_ABOVE_EDGES` relations), "canvas" or "webgl"."""
    from kg.viz.page import choose_renderer, render_page
    from kg.viz.structure import arrange

    # the view is ~1M small objects at 5,000 entities, all kept: the cyclic GC's full passes over them
    # found nothing and took a third of the time
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        view = build_view(graph, focus=focus, depth=depth, max_nodes=max_nodes, title=title)
        arrange(view)
        view.renderer = choose_renderer(renderer, len(view.nodes), len(view.edges))
        return render_page(view.to_dict(), title=view.title, version=_version(), renderer=view.renderer), view
    finally:
        if was_enabled:
            gc.enable()


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("platform-kg")
    except metadata.PackageNotFoundError:
        return ""


def write_html(graph, path, *, focus: str | None = None, depth: int = 2, max_nodes: int | None = None,
               title: str | None = None, renderer: str = "auto") -> VizResult:
    """Write the viewer page for ``graph`` (an rdflib Graph) to ``path``, all or nothing."""
    from kg.util import atomic_write

    html, view = render_html(graph, focus=focus, depth=depth, max_nodes=max_nodes, title=title, renderer=renderer)
    path = Path(path)
    with atomic_write(path) as fh:
        fh.write(html)
    return VizResult(path=path, nodes=len(view.nodes), edges=len(view.edges),
                     drawn_nodes=len(view.drawn_nodes), total_entities=view.total_entities,
                     clusters=len(view.clusters), layout=view.layout, bytes=len(html.encode("utf-8")),
                     renderer=view.renderer)
