"""``kg viz``: write the interactive ecosystem viewer (one offline HTML file) for a graph."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("graph_file", metavar="GRAPH", type=click.Path(exists=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="HTML file to write (default: GRAPH with the extension .html).")
@click.option("--focus", metavar="ENTITY",
              help="Keep only the neighbourhood of ENTITY (a label, an alias such as 小红书, or an IRI).")
@click.option("--depth", type=click.IntRange(min=0), default=2, show_default=True,
              help="With --focus: how many links away from ENTITY to keep.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="Draw at most N entities at first, the most connected; the page says how many it left "
                   "out and search, filters and 'show neighbourhood' reach them.")
@click.option("--title", help="Page title (default: 'platform-kg ecosystem').")
@click.option("--renderer", type=click.Choice(["auto", "canvas", "webgl"]), default="auto", show_default=True,
              help="canvas: vis-network (class shapes, dashed modalities); webgl: sigma.js, for big graphs. "
                   "auto: WebGL above 2,000 entities or 20,000 relations.")
def viz(graph_file, output, focus, depth, max_nodes, title, renderer):
    """Write an interactive, self-contained HTML view of GRAPH (a graph file or store).

    The page works offline (vis-network, or sigma.js for big graphs, is inlined; nothing is fetched). The map is laid out before
    the page opens (ForceAtlas2, deterministic); nodes are coloured by class or community and sized
    by links or PageRank, the most important names labelled; above 2,000 entities it opens on one
    node per community. Edges are coloured by relation (dashed when planned, dotted when reported);
    a click focuses a node's neighbourhood and opens a side panel with every fact's evidence
    sentence and article; search over names and aliases; filters by class, relation and article
    date. See docs/viewer.md.

    \b
    Example:
        kg viz out/graph.ttl -o out/graph.html
        kg viz out/graph.ttl -o xhs.html --focus Xiaohongshu --depth 1
        kg viz big.ttl -o big.html --max-nodes 500
    """
    from kg.store import load_graph
    from kg.viz import write_html

    graph = load_graph(graph_file)
    out = Path(output) if output else Path(graph_file).with_suffix(".html")
    result = write_html(graph, out, focus=focus, depth=depth, max_nodes=max_nodes, title=title, renderer=renderer)
    drawn = (f", drawing the {result.drawn_nodes} most connected first"
             if result.drawn_nodes < result.nodes else "")
    if result.clusters:
        drawn += f"; opens on {result.clusters} communities"

    click.echo(f"wrote {result.path} ({result.nodes} entities, {result.edges} relations{drawn}; "
               f"{result.bytes / 1e6:.1f} MB)")
