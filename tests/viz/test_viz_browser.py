"""The viewer in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright, with
every request other than the page itself aborted and counted. Each page is tested with both renderers
(vis-network on a canvas, sigma.js on WebGL: Chromium without a GPU runs WebGL in SwiftShader).

A missing browser is a failure, not a skip: ``.ci/run`` installs it and these tests are the only
proof that the page is offline, safe and usable.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDF, RDFS

from kg.rdf.namespace import ENT, PKG, PREDICATES, SYMMETRIC
from kg.viz import write_html

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
RENDERERS = ["canvas", "webgl"]
# Chromium's own notes about the software GPU (e.g. "GPU stall due to ReadPixels" when sigma picks the
# node under the pointer), logged as warnings; not the page's
GPU_NOTE = "GL Driver Message"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"headless Chromium not found at {CHROMIUM}: install Debian's chromium package "
                    f"(.ci/run does) or set KG_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Opened:
    """A page loaded offline, with what it tried to fetch and what it logged."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type in ("error", "warning") and GPU_NOTE not in m.text
                     and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.goto(self.url)
        self.page.wait_for_function("window.kgReady === true", timeout=30_000)

    def _route(self, route):
        url = route.request.url
        if url == self.url:
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def counts(self) -> dict:
        return self.page.evaluate("kgViewer.counts()")

    def click_node(self, label: str) -> None:
        node_id = self.page.evaluate("(l) => kgViewer.nodeId(l)", label)
        assert node_id is not None, f"{label} is not in the page"
        self.page.evaluate("(id) => kgViewer.centreOn(id, 1.5)", node_id)
        self.page.wait_for_timeout(100)
        pos = self.page.evaluate("(id) => kgViewer.domPosition(id)", node_id)
        box = self.page.locator("#kg-network").bounding_box()
        self.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        self.page.wait_for_selector("#kg-panel[data-kind=node]")

    def panel_text(self) -> str:
        return self.page.locator("#kg-panel-body").inner_text()

    def close(self):
        self.page.close()


@pytest.fixture
def opened(browser):
    pages = []

    def open_(path):
        o = Opened(browser, path)
        pages.append(o)
        return o

    yield open_
    for o in pages:
        o.close()


# ---------------------------------------------------------------- independent expectations

def _entities(graph: Graph) -> set:
    classes = {PKG[c] for c in ("Organization", "Company", "Platform", "Association", "MediaOutlet",
                                "GovernmentBody", "Person", "Place", "Country", "Region", "City",
                                "Product", "Law")}
    return {s for s, t in graph.subject_objects(RDF.type) if t in classes}


def _expected_edges(graph: Graph) -> int:
    """Distinct facts (symmetric ones unordered) plus distinct non-asserted statements without a fact."""
    ents = _entities(graph)

    def key(s, p, o):
        name = str(p).rsplit("#", 1)[-1]
        return (frozenset((s, o)), p) if name in SYMMETRIC else (s, p, o)

    facts = {key(s, p, o) for s, p, o in graph if s in ents and o in ents
             and str(p).rsplit("#", 1)[-1] in PREDICATES}
    others = set()
    for st in graph.subjects(RDF.type, RDF.Statement):
        s, p, o = (graph.value(st, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        if s in ents and o in ents and str(p).rsplit("#", 1)[-1] in PREDICATES and key(s, p, o) not in facts:
            others.add((key(s, p, o), str(graph.value(st, PKG.modality))))
    return len(facts) + len(others)


def _iri_by_label(graph: Graph, label: str):
    found = {s for s, o in graph.subject_objects(RDFS.label) if str(o) == label}
    assert len(found) == 1, f"expected one entity labelled {label!r}, found {found}"
    return found.pop()


# ---------------------------------------------------------------- the sample graph (fast)

@pytest.fixture(scope="module", params=RENDERERS)
def sample_html(request, sample_graph_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("viz-sample") / "graph.html"
    assert write_html(Graph().parse(sample_graph_path), path, renderer=request.param).renderer == request.param
    return path


def test_viz_browser_sample_offline_and_complete(opened, sample_html, sample_graph_path):
    o = opened(sample_html)
    g = Graph().parse(sample_graph_path)
    assert o.counts() == {"nodes": len(_entities(g)), "edges": _expected_edges(g)} == {"nodes": 9, "edges": 9}
    assert o.requests == [] and o.errors == []


def test_viz_browser_sample_edge_panel_and_neighbourhood(opened, sample_html):
    o = opened(sample_html)
    o.page.evaluate("kgViewer.selectNode(kgViewer.nodeId('Douyin'))")
    o.page.click("#kg-neighbourhood")          # depth 2 by default: Douyin's side of the graph only
    assert o.counts()["nodes"] == 5
    assert "Neighbourhood of Douyin" in o.page.locator("#kg-banner").inner_text()
    o.page.click("#kg-banner button")          # Show all
    assert o.counts()["nodes"] == 9
    text = o.panel_text()
    assert "Douyin is in talks to partner with Xiaohongshu." in text and "planned" in text
    assert o.errors == [] and o.requests == []


# ---------------------------------------------------------------- the seed graph (real pipeline)

@pytest.fixture(scope="module", params=RENDERERS)
def seed_html(request, seed_graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("viz-seed") / "graph.html"
    write_html(seed_graph, path, title="Seed corpus: social e-commerce 2025", renderer=request.param)
    return path


def test_viz_browser_seed_loads_offline_without_errors(opened, seed_html):
    o = opened(seed_html)
    OUTPUT.mkdir(exist_ok=True)
    o.page.screenshot(path=str(OUTPUT / f"seed-graph-{o.page.evaluate('kgViewer.renderer')}.png"))
    assert o.requests == [], "the page tried to fetch something"
    assert o.errors == []


def test_viz_browser_seed_draws_every_entity_and_relation(opened, seed_html, seed_graph):
    o = opened(seed_html)
    assert o.counts() == {"nodes": len(_entities(seed_graph)), "edges": _expected_edges(seed_graph)}


def test_viz_browser_seed_click_shows_evidence(opened, seed_html, seed_graph):
    # every evidence sentence of TikTok's statements, whatever the extraction finds today
    tiktok = _iri_by_label(seed_graph, "TikTok")
    evidence = {str(seed_graph.value(st, PKG.evidence))
                for st in seed_graph.subjects(RDF.type, RDF.Statement)
                if tiktok in (seed_graph.value(st, RDF.subject), seed_graph.value(st, RDF.object))
                and seed_graph.value(st, PKG.evidence) is not None}
    assert evidence, "the seed graph has no statement about TikTok"
    o = opened(seed_html)
    o.click_node("TikTok")
    assert o.page.locator("#kg-panel h2").first.inner_text() == "TikTok"
    text = " ".join(o.panel_text().split())
    for sentence in evidence:
        assert " ".join(sentence.split()) in text


def test_viz_browser_seed_search_finds_chinese_alias(opened, seed_html):
    o = opened(seed_html)
    o.page.fill("#kg-search", "小红书")
    first = o.page.locator("#kg-results li button").first
    assert first.locator("span").first.inner_text() == "Xiaohongshu"
    o.page.press("#kg-search", "Enter")
    o.page.wait_for_selector("#kg-panel[data-kind=node]")
    assert o.page.locator("#kg-panel h2").first.inner_text() == "Xiaohongshu"


def test_viz_browser_seed_class_filter_hides_the_class(opened, seed_html, seed_graph):
    o = opened(seed_html)
    classes = o.page.evaluate("kgViewer.visibleClasses()")
    hidden = "Person" if "Person" in classes else sorted(classes)[0]
    before = o.counts()["nodes"]
    n_hidden = sum(1 for s in _entities(seed_graph)
                   if o.page.evaluate("(l) => kgViewer.nodeId(l)", str(seed_graph.value(s, RDFS.label))) is not None
                   and seed_graph.value(s, RDF.type) == PKG[hidden])
    o.page.click(f"#kg-classes input[data-name={hidden}]")
    assert hidden not in o.page.evaluate("kgViewer.visibleClasses()")
    assert o.counts()["nodes"] == before - n_hidden
    o.page.click(f"#kg-classes input[data-name={hidden}]")
    assert o.counts()["nodes"] == before


# ---------------------------------------------------------------- hostile data

PAYLOADS = {
    "name": 'Evil <img src=x onerror="window.__xss=1"> Corp</script><script>window.__xss=2</script>',
    "title": '</script><script>window.__xss=3</script>"\'><svg onload="window.__xss=4">',
    "evidence": 'It said <img src=y onerror=window.__xss=5> & \u2028 <script>window.__xss=6</script> "quoted"',
}


@pytest.fixture(params=RENDERERS)
def hostile_html(request, sample_graph_path, tmp_path) -> Path:
    g = Graph().parse(sample_graph_path)
    g.set((ENT["org/tmall"], RDFS.label, Literal(PAYLOADS["name"], lang="en")))
    g.set((ENT["article/a1"], DCTERMS.title, Literal(PAYLOADS["title"])))
    g.set((ENT["statement/s2"], PKG.evidence, Literal(PAYLOADS["evidence"])))
    path = tmp_path / "hostile.html"
    write_html(g, path, title=PAYLOADS["title"], renderer=request.param)
    return path


def test_viz_browser_xss_payloads_never_run_and_show_as_text(opened, hostile_html):
    o = opened(hostile_html)
    o.click_node(PAYLOADS["name"])
    text = o.panel_text()
    assert PAYLOADS["name"] in text
    assert PAYLOADS["title"] in text
    assert " ".join(PAYLOADS["evidence"].split()) in " ".join(text.split())
    # the search results render the same strings
    o.page.fill("#kg-search", "evil")
    assert PAYLOADS["name"] in o.page.locator("#kg-results").inner_text()
    o.page.hover("#kg-results li button")
    assert o.page.title() == PAYLOADS["title"]
    assert o.page.evaluate("typeof window.__xss") == "undefined"
    assert o.page.locator("img, svg, iframe").count() == 0
    assert o.requests == [] and o.errors == []


# ---------------------------------------------------------------- map structure (issue 14)

def test_viz_browser_labels_at_overview_never_overlap(opened, seed_html):
    o = opened(seed_html)
    boxes = o.page.evaluate("kgViewer.labelBoxes()")
    assert 5 <= len(boxes) <= 30
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"] or
                     a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])
            assert apart, f"labels {a['label']!r} and {b['label']!r} overlap"
    # the best-connected entity is named at the overview
    hub = o.page.evaluate("kgViewer.hubs(1)[0]")
    assert hub in {b["id"] for b in boxes}


def _balls(data: dict, centre: int) -> tuple[int, int]:
    """Entities within 1 and 2 links of ``centre`` in the page data, counted independently."""
    adj: dict[int, set] = {}
    for e in data["edges"]:
        adj.setdefault(e["source"], set()).add(e["target"])
        adj.setdefault(e["target"], set()).add(e["source"])
    one = {centre} | adj.get(centre, set())
    two = one.union(*(adj.get(v, set()) for v in one))
    return len(one), len(two)


def test_viz_browser_focus_expand_back(opened, seed_html):
    import json

    o = opened(seed_html)
    data = json.loads(o.page.evaluate("document.getElementById('kg-data').textContent"))
    by_degree = sorted(data["nodes"], key=lambda n: -n["degree"])
    node = next(n for n in by_degree if _balls(data, n["id"])[1] > _balls(data, n["id"])[0])
    one, two = _balls(data, node["id"])
    o.click_node(node["label"])
    first = o.page.evaluate("kgViewer.faded()")
    assert first == {"id": node["id"], "depth": 1, "size": one}
    o.page.click("#kg-expand")
    assert o.page.evaluate("kgViewer.faded()") == {"id": node["id"], "depth": 2, "size": two}
    # the focused node's edges carry readable labels, the others none
    labelled = o.page.evaluate("kgViewer.edgeLabels()")
    assert labelled and all(node["id"] in pair for pair in labelled)
    o.page.click("#kg-back")
    assert o.page.evaluate("kgViewer.faded()") == first
    o.page.click("#kg-back")
    assert o.page.evaluate("kgViewer.faded()") is None
    assert o.page.is_disabled("#kg-back")
    assert o.errors == [] and o.requests == []


def _synthetic(n_nodes: int, n_edges: int) -> Graph:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_viz", REPO / "benchmarks" / "bench_viz.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.synthetic_graph(n_nodes, n_edges)


@pytest.fixture(scope="module")
def big_graph() -> Graph:
    return _synthetic(2500, 6000)


@pytest.fixture(scope="module", params=RENDERERS)
def big_html(request, big_graph, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("viz-big") / "graph.html"
    write_html(big_graph, path, renderer=request.param)
    return path


def test_viz_browser_big_graph_opens_on_communities(opened, big_html):
    o = opened(big_html)
    assert o.counts()["nodes"] == 0 and o.page.evaluate("kgViewer.clusters()") > 1
    assert o.page.evaluate("kgViewer.labelBoxes().length") >= 1
    # open the biggest community by clicking its node
    pos = o.page.evaluate("kgViewer.domPosition('c0')")
    box = o.page.locator("#kg-network").bounding_box()
    o.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    assert o.counts()["nodes"] > 0
    o.page.click("#kg-back")
    assert o.counts()["nodes"] == 0
    assert o.errors == [] and o.requests == []


def test_viz_browser_big_graph_click_opens_the_node_under_the_pointer(opened, big_html):
    import random

    o = opened(big_html)
    o.page.click("#kg-all-clusters")
    data = o.page.evaluate("""() => JSON.parse(document.getElementById('kg-data').textContent).nodes.map(
        n => [n.id, n.x, n.y, kgViewer.radius(n.id)])""")
    assert o.counts()["nodes"] == len(data) == 2500
    # nodes whose centre no other disc covers: a click there can only mean that node
    clear = []
    for i, x, y, _ in data:
        if not any(j != i and (x - xj) ** 2 + (y - yj) ** 2 < rj ** 2 for j, xj, yj, rj in data):
            clear.append(i)
    assert len(clear) >= 0.95 * len(data), "the layout leaves nodes hidden under others"
    box = o.page.locator("#kg-network").bounding_box()
    for node_id in random.Random(3).sample(clear, 20):
        o.page.evaluate("(id) => kgViewer.centreOn(id, 1.5)", node_id)
        pos = o.page.evaluate("(id) => kgViewer.domPosition(id)", node_id)
        o.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        assert o.page.get_attribute("#kg-panel", "data-id") == str(node_id)
    assert o.errors == [] and o.requests == []
