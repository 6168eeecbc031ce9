"""The HTTP layer of ``kg serve`` (stdlib ``http.server``; queries run in :mod:`kg.server.pool`)."""
from __future__ import annotations

import errno
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.errors import EndpointError
from kg.query.sparql import tokenize
from kg.server.pool import Answer, QueryPool

PAGE = Path(__file__).resolve().parent / "page.html"
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_FORMAT_NAMES = {
    "json": "json", "application/sparql-results+json": "json", "application/json": "json",
    "xml": "xml", "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "csv": "csv", "text/csv": "csv", "tsv": "tsv", "text/tab-separated-values": "tsv",
    "turtle": "turtle", "ttl": "turtle", "text/turtle": "turtle", "application/x-turtle": "turtle",
    "n3": "turtle", "text/n3": "turtle", "ntriples": "ntriples", "nt": "ntriples",
    "application/n-triples": "ntriples", "text/plain": "ntriples",
    "rdf+xml": None, "application/rdf+xml": None, "json-ld": None, "application/ld+json": None,
    "*/*": "*", "application/*": "*", "text/*": "*",
}
_CSP = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; base-uri 'none'"


def is_update(text: str) -> bool:
    toks = [t for t in tokenize(text)]
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i].text.upper() == "PREFIX" else 2
    return i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in _UPDATE_WORDS


def wanted_formats(fields: dict, accept: str) -> list[str]:
    """Formats the client asked for, best first: ``format``/``output`` fields, then ``Accept``."""
    out = []
    for key in ("format", "output"):
        for v in fields.get(key, []):
            f = _FORMAT_NAMES.get(v.strip().lower(), "?")
            if f and f != "?":
                out.append(f)
    prefs = []
    for n, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        f = _FORMAT_NAMES.get(bits[0].lower())
        if f and q > 0:
            prefs.append((-q, n, f))
    out += [f for _, _, f in sorted(prefs)]
    return out


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve/1"
    protocol_version = "HTTP/1.1"
    pool: QueryPool
    presets_json: bytes

    def log_message(self, fmt, *args):  # quiet by default; kg serve --verbose turns it on
        if getattr(self.server, "verbose", False):
            super().log_message(fmt, *args)

    def _send(self, ans: Answer) -> None:
        self.send_response(ans.status)
        self.send_header("Content-Type", ans.content_type)
        self.send_header("Content-Length", str(len(ans.body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in ans.headers.items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(ans.body)

    def _text(self, status: int, message: str) -> None:
        self._send(Answer(status, "text/plain; charset=utf-8", (message + "\n").encode()))

    def _forbidden(self) -> None:
        self._text(403, "this endpoint is read-only: updates and Graph Store writes are not allowed")

    # --- routes
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            body = PAGE.read_bytes()
            return self._send(Answer(200, "text/html; charset=utf-8", body, {"Content-Security-Policy": _CSP}))
        if url.path == "/api/presets":
            return self._send(Answer(200, "application/json", self.server.presets_json))
        if url.path == "/sparql":
            fields = parse_qs(url.query, keep_blank_values=True)
            if "update" in fields:
                return self._forbidden()
            return self._query(fields)
        self._text(404, f"no such page: {url.path} (the SPARQL endpoint is /sparql)")

    do_HEAD = do_GET

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._forbidden()
        length = int(self.headers.get("Content-Length") or 0)
        if length > 1_000_000:
            return self._text(413, "request too large")
        body = self.rfile.read(length).decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fields = parse_qs(url.query, keep_blank_values=True)
        if ctype == "application/sparql-update":
            return self._forbidden()
        if ctype == "application/sparql-query":
            fields["query"] = [body]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            for k, v in parse_qs(body, keep_blank_values=True).items():
                fields.setdefault(k, []).extend(v)
        else:  # RDF data posted to the endpoint: a Graph Store write
            return self._forbidden()
        if "update" in fields:
            return self._forbidden()
        self._query(fields)

    def do_PUT(self):
        self._forbidden()

    do_DELETE = do_PATCH = do_PUT

    def _query(self, fields: dict) -> None:
        text = (fields.get("query") or [""])[0]
        if not text.strip():
            return self._text(400, "missing 'query' parameter (SPARQL 1.1 Protocol: /sparql?query=...)")
        if is_update(text):
            return self._forbidden()
        if fields.get("default-graph-uri") or fields.get("named-graph-uri"):
            return self._text(400, "default-graph-uri / named-graph-uri are not supported: the default graph "
                                   "is the union of all graphs; use GRAPH in the query")
        params = {k[len("param."):]: v[0] for k, v in fields.items() if k.startswith("param.") and v and v[0] != ""}
        formats = wanted_formats(fields, self.headers.get("Accept") or "")
        self._send(self.server.pool.run(text, params, formats))


class KGServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 128  # the default backlog (5) resets connections when many clients connect at once


def make_server(source, host: str = "127.0.0.1", port: int = 7878, workers: int = 2,
                timeout: float = 10.0, max_rows: int = 10000, verbose: bool = False) -> KGServer:
    """Bind the endpoint (port 0 picks a free port) and start the query workers; call
    ``serve_forever()`` on the result, and ``server_close()`` + ``server.pool.close()`` to stop."""
    from kg.query.presets import presets
    from kg.store import _check_exists

    _check_exists(Path(source))
    try:
        server = KGServer((host, port), Handler)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise EndpointError(f"{host}:{port} is already in use; choose another --port") from None
        raise EndpointError(f"cannot listen on {host}:{port} ({e.strerror})") from None
    server.verbose = verbose
    server.presets_json = json.dumps([p.to_dict() for p in presets().values()], ensure_ascii=False).encode()
    try:
        server.pool = QueryPool(str(source), workers=workers, timeout=timeout, max_rows=max_rows)
    except BaseException:
        server.server_close()
        raise
    return server


def serve(source, **kwargs) -> None:
    server = make_server(source, **kwargs)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.pool.close()
