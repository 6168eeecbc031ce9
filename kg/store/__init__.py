"""Where graphs live: RDF files (any syntax, chosen by extension) and Oxigraph store directories.

rdflib is the library API (:func:`load_graph` returns an ``rdflib.Graph``); Oxigraph (``pyoxigraph``)
is the store for anything beyond a small file (:func:`open_source`, :func:`add_to_store`).

The store keeps **one named graph per article** (graph name = the article IRI), so re-loading an
article replaces it instead of duplicating it. See :mod:`kg.store.partition` for which triple goes
where; queries run with the default graph as the union of all graphs, and every triple lives in
exactly one graph, so the store and an rdflib graph of the same data give the same answers.
"""
from __future__ import annotations

from pathlib import Path

from kg.errors import GraphFileError

# extension -> (rdflib parser name, pyoxigraph format name)
RDF_EXTENSIONS = {
    ".ttl": ("turtle", "TURTLE"),
    ".turtle": ("turtle", "TURTLE"),
    ".nt": ("nt", "N_TRIPLES"),
    ".ntriples": ("nt", "N_TRIPLES"),
    ".nq": ("nquads", "N_QUADS"),
    ".trig": ("trig", "TRIG"),
    ".jsonld": ("json-ld", "JSON_LD"),
    ".json": ("json-ld", "JSON_LD"),
    ".rdf": ("xml", "RDF_XML"),
    ".owl": ("xml", "RDF_XML"),
    ".xml": ("xml", "RDF_XML"),
    ".n3": ("n3", "N3"),
}
QUAD_EXTENSIONS = {".nq", ".trig"}

__all__ = [
    "RDF_EXTENSIONS",
    "LoadReport",
    "add_to_store",
    "is_store_dir",
    "load_files",
    "load_graph",
    "open_source",
    "open_store",
]


def is_store_dir(path: str | Path) -> bool:
    """An Oxigraph (RocksDB) store directory: has a ``CURRENT`` file."""
    p = Path(path)
    return p.is_dir() and (p / "CURRENT").is_file()


def rdf_format(path: str | Path) -> tuple[str, str]:
    ext = Path(path).suffix.lower()
    if ext not in RDF_EXTENSIONS:
        known = ", ".join(sorted(RDF_EXTENSIONS))
        raise GraphFileError(f"{path}: unknown RDF file extension {ext or '(none)'!r} (known: {known})")
    return RDF_EXTENSIONS[ext]


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise GraphFileError(f"{path}: no such file or store directory")
    if path.is_dir() and not is_store_dir(path):
        raise GraphFileError(f"{path}: a directory but not an Oxigraph store (no CURRENT file)")


def load_graph(path: str | Path):
    """Read a graph file (any RDF syntax, by extension) or a store directory into an rdflib Graph.

    Quads (TriG, N-Quads, a store's named graphs) are merged into one graph: their union.
    Raises :class:`GraphFileError` naming the file and line on a parse error.
    """
    from rdflib import Graph

    from kg.rdf.namespace import bind_prefixes

    path = Path(path)
    _check_exists(path)
    g = Graph()
    bind_prefixes(g)
    if path.is_dir():
        from kg.store.terms import from_ox

        store = open_store(path, read_only=True)
        for q in store:
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return g
    rdflib_fmt, _ = rdf_format(path)
    if path.suffix.lower() in QUAD_EXTENSIONS:
        from rdflib import Dataset

        ds = Dataset()
        _parse_rdflib(ds, path, rdflib_fmt)
        for s, p, o, _c in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    _parse_rdflib(g, path, rdflib_fmt)
    return g


def _remote_contexts(node) -> list[str]:
    """``@context`` / ``@import`` references of a JSON-LD document that are not local files."""
    from urllib.parse import urlsplit

    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for key, value in n.items():
                if key in ("@context", "@import"):
                    refs = value if isinstance(value, list) else [value]
                    for ref in refs:
                        if isinstance(ref, str):
                            url = urlsplit(ref)
                            if ref.startswith("//") or url.netloc or url.scheme not in ("", "file"):
                                out.append(ref)
                stack.append(value)
        elif isinstance(n, list):
            stack.extend(n)
    return out


def _refuse_remote_contexts(path: Path) -> None:
    """rdflib's JSON-LD parser downloads a remote ``@context``; kg never fetches anything, so such
    a document is refused before rdflib sees it (pyoxigraph's parser refuses them by itself)."""
    import json

    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return  # the parser reports unreadable or invalid JSON with its own message
    remote = _remote_contexts(doc)
    if remote:
        raise GraphFileError(f"{path}: the JSON-LD @context {remote[0]!r} is remote and kg never fetches anything; "
                             "save that context locally and put it inline in the file")


def _parse_rdflib(g, path: Path, fmt: str) -> None:
    if fmt == "json-ld":
        _refuse_remote_contexts(path)
    try:
        g.parse(str(path), format=fmt)
    except OSError as e:
        raise GraphFileError(f"{path}: cannot read ({e.strerror or e})") from None
    except Exception as e:  # rdflib parsers raise many types; all mean "not valid <fmt>"
        # pyoxigraph's parser reports line and column precisely: prefer its message
        try:
            for _ in parse_file_ox(path):
                pass
        except GraphFileError as ox_error:
            raise ox_error from None
        line = getattr(e, "lines", None)
        where = f"{path}:{line + 1}" if isinstance(line, int) else str(path)
        reason = str(getattr(e, "_why", "") or e).strip().splitlines()
        reason = reason[-1] if reason else type(e).__name__
        raise GraphFileError(f"{where}: not valid {fmt} ({reason[:200]})") from None


def open_store(path: str | Path, read_only: bool = False, create: bool = False):
    """Open an Oxigraph store directory; a lock held by another writer is one clear error."""
    import pyoxigraph as ox

    path = Path(path)
    if not create:
        _check_exists(path)
    elif path.exists() and not path.is_dir():
        raise GraphFileError(f"{path}: exists and is not a store directory")
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as e:
        text = str(e)
        if "lock" in text.lower():
            raise GraphFileError(
                f"{path}: the store is locked by another writer (a running 'kg load' or 'kg build --store'?); "
                "wait for it to finish or use another directory (kg serve holds no lock)"
            ) from None
        raise GraphFileError(f"{path}: cannot open the store ({text.splitlines()[0] if text else e})") from None
    except RuntimeError as e:  # RocksDB reports a store being rewritten under a reader as corruption
        raise GraphFileError(f"{path}: cannot open the store (is another process writing to it? {e})") from None


def parse_file_ox(path: str | Path):
    """Parse a graph file with pyoxigraph: an iterator of Quads (errors name file, line and column)."""
    import pyoxigraph as ox

    path = Path(path)
    _, fmt = rdf_format(path)
    if fmt == "JSON_LD":
        _refuse_remote_contexts(path)  # pyoxigraph would refuse too, with a less helpful message
    try:
        fh = open(path, "rb")
    except OSError as e:
        raise GraphFileError(f"{path}: cannot read ({e.strerror})") from None

    def quads():
        with fh:
            try:
                yield from ox.parse(fh, format=getattr(ox.RdfFormat, fmt), path=None)
            except SyntaxError as e:
                args = e.args[1] if len(e.args) > 1 and isinstance(e.args[1], tuple) else None
                line = args[1] if args else None
                col = args[2] if args else None
                where = f"{path}:{line}:{col}" if line else str(path)
                raise GraphFileError(f"{where}: not valid {fmt.replace('_', '-')} ({e.args[0]})") from None

    return quads()


def open_source(path: str | Path, read_only: bool = True):
    """The Oxigraph store behind a graph file or store directory, ready for queries.

    A file is parsed into an in-memory store (its triples in the default graph); a directory is
    opened on disk (read-only by default, so several readers can share it with one writer).
    """
    import pyoxigraph as ox

    path = Path(path)
    _check_exists(path)
    if path.is_dir():
        return open_store(path, read_only=read_only)
    store = ox.Store()
    store.extend(q if path.suffix.lower() in QUAD_EXTENSIONS else ox.Quad(q.subject, q.predicate, q.object)
                 for q in parse_file_ox(path))
    return store


def __getattr__(name):
    # the loading functions live in kg.store.load (imported lazily: pyoxigraph, rdflib)
    if name in ("LoadReport", "add_to_store", "load_files"):
        from kg.store import load

        return getattr(load, name)
    raise AttributeError(f"module 'kg.store' has no attribute {name!r}")
