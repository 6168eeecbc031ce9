"""View data -> one self-contained HTML page.

What keeps the page offline and safe:

- The renderer's JS is inlined from the copies vendored in ``kg/viz/vendor/`` (taken unchanged from the
  npm registry; each VERSION.md says from where, with checksums and licences): vis-network (2D canvas)
  for graphs up to :data:`WEBGL_ABOVE` entities (and :data:`WEBGL_ABOVE_EDGES` relations), sigma.js +
  graphology (WebGL) above, where a canvas
  cannot redraw 100,000 edges interactively. The tool does not depend on pyvis: it only carried
  vis-network's file, and pulled IPython and jedi in with it.
- Data from the news reaches the page only as JSON inside ``<script type="application/json">`` with
  ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so no sentence can close the element; the page's
  script puts it in the DOM with ``textContent``. The title goes through Jinja's autoescape.
- A Content-Security-Policy allows only the page's own two scripts (by hash), no connections, no
  external images, fonts or frames: a payload that slipped through would neither run nor phone home.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from importlib import resources

from kg.errors import OutputError

VIS_VERSION = "9.1.2"
SIGMA_VERSION = "3.0.3"
GRAPHOLOGY_VERSION = "0.26.0"
RENDERERS = ("auto", "canvas", "webgl")
# "auto" draws graphs with more entities or relations than these with WebGL (the same entity count
# above which the first view groups communities): vis-network takes several seconds to draw every
# entity of a 5,000-entity graph, and every redraw of 100,000 edges (arrow heads fitted to each node's
# shape) takes seconds on a canvas (benchmarks/bench_viz.py)
WEBGL_ABOVE = 2000
WEBGL_ABOVE_EDGES = 20000
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")
_CLOSE_SCRIPT = re.compile(r"</script", re.IGNORECASE)
_CLOSE_STYLE = re.compile(r"</style", re.IGNORECASE)


def _fields(obj):
    """Dataclass instances (the view's nodes, edges, statements...) as their field dicts, so the page
    data is encoded in one ``json.dumps`` pass (``dataclasses.asdict`` first took seconds at 5k)."""
    if hasattr(obj, "__dataclass_fields__"):
        return vars(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def json_for_script(data) -> str:
    """JSON that is safe as the text of a ``<script type="application/json">`` element.

    Only string contents can hold these characters (JSON's syntax never does), and inside strings the
    ``\\uXXXX`` forms decode to the same text, so ``JSON.parse`` gives back exactly ``data``.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_fields)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


@functools.lru_cache(maxsize=None)
def _asset(package: str, name: str) -> str:
    try:
        return (resources.files(package) / name).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as e:
        raise OutputError(f"cannot find the viewer asset {package}/{name} ({e}); reinstall platform-kg "
                          f"(make install)") from None


def vis_assets() -> tuple[str, str]:
    """vis-network's (js, css), vendored from the npm registry (kg/viz/vendor/vis-network/VERSION.md)."""
    js = _asset("kg.viz", "vendor/vis-network/vis-network.min.js")
    css = _asset("kg.viz", "vendor/vis-network/vis-network.min.css")
    return js, css


def _inline_script(js: str) -> str:
    # a literal "</script" would end the element early; "<\/script" means the same inside JS strings
    return _CLOSE_SCRIPT.sub(r"<\\/script", js)


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def webgl_assets() -> list[str]:
    """graphology's and sigma's JS (in that order), vendored from the npm registry (their VERSION.md)."""
    return [_asset("kg.viz", "vendor/graphology/graphology.umd.min.js"), _asset("kg.viz", "vendor/sigma/sigma.min.js")]


def choose_renderer(renderer: str, entities: int, edges: int = 0) -> str:
    """"canvas" or "webgl" for ``renderer`` ("auto" decides by the numbers of entities and edges)."""
    if renderer not in RENDERERS:
        raise OutputError(f"unknown renderer {renderer!r}; use one of {', '.join(RENDERERS)}")
    if renderer == "auto":
        return "webgl" if entities > WEBGL_ABOVE or edges > WEBGL_ABOVE_EDGES else "canvas"
    return renderer


def render_page(view_dict: dict, *, title: str, version: str = "", renderer: str = "canvas") -> str:
    """The page for :meth:`kg.viz.data.View.to_dict` output, as one string, drawn by ``renderer``
    ("canvas": vis-network, "webgl": sigma.js; the page data says which to the viewer's script)."""
    import jinja2
    from markupsafe import Markup

    if renderer == "webgl":
        vendor_js, vis_css = webgl_assets(), ""
    else:
        vis_js, vis_css = vis_assets()
        vendor_js = [vis_js]
    vendor_js = [_inline_script(js) for js in vendor_js]
    viewer_js = _inline_script(_asset("kg.viz", "viewer.js"))
    viewer_css = _asset("kg.viz", "viewer.css")
    for css in (vis_css, viewer_css):
        if _CLOSE_STYLE.search(css):
            raise OutputError("a viewer stylesheet contains '</style'; it cannot be inlined")
    view_dict = {**view_dict, "renderer": renderer}
    csp = "; ".join([
        "default-src 'none'",
        f"script-src {' '.join(_sha256(js) for js in [*vendor_js, viewer_js])}",
        "style-src 'unsafe-inline'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
    ])
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("kg.viz", "viewer.html"))
    return template.render(
        title=title, version=version, csp=csp,
        # trusted assets and already-escaped JSON: inserted as they are
        vis_css=Markup(vis_css), viewer_css=Markup(viewer_css), vendor_js=[Markup(js) for js in vendor_js],
        viewer_js=Markup(viewer_js), data_json=Markup(json_for_script(view_dict)),
    )
