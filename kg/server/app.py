"""The HTTP layer of ``kg serve`` (stdlib ``http.server``, hardened; queries run in :mod:`kg.server.pool`).

Why the standard library and not a framework: the endpoint has four routes and no templates; what
it needed was discipline, which is all here and tested in ``tests/security``:

* every request body is read in full before the answer (or the connection is closed), so a body
  can never be parsed as the next request on a keep-alive connection; a ``Content-Length`` that is
  not a plain number, a chunked body or one over the size limit is answered and the connection closed;
* a deadline for the request line and headers (a drip-fed request is cut off), an idle timeout
  between keep-alive requests, and a cap on open connections (each one is a thread);
* a ``Host`` allow-list (loopback names, the address served and ``--allow-host``): a DNS-rebound
  name pointing at 127.0.0.1 is refused; a POST from another origin (``Origin`` /
  ``Sec-Fetch-Site``) is refused, so a web page cannot drive the endpoint;
* one strict Content-Security-Policy on every HTML answer (the page's script and style are
  files, no inline code); error answers are plain text;
* ``TCP_NODELAY`` and one write per answer (headers and body together), so a keep-alive client's
  delayed ACK does not stall each reply by ~40 ms;
* request headers read by a strict parser of our own (a header name is a token with no space
  before its colon, no folded lines, no control characters, at most 100 lines of 64 kB), not by
  ``email``: stricter than the standard library (which accepts all of these), and it took a
  third of the HTTP process's CPU time per answer. The answer's status line and headers are
  written as one string.
"""
from __future__ import annotations

import errno
import io
import json
import re
import socket
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kg.errors import EndpointError
from kg.server.pool import Answer, QueryPool

HERE = Path(__file__).resolve().parent
STATIC = {  # path -> (file, media type)
    "/": ("page.html", "text/html; charset=utf-8"),
    "/index.html": ("page.html", "text/html; charset=utf-8"),
    "/page.js": ("page.js", "text/javascript; charset=utf-8"),
    "/page.css": ("page.css", "text/css; charset=utf-8"),
}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "localhost.localdomain", "ip6-localhost")
MAX_BODY = 1_000_000
MAX_HEADERS, MAX_LINE = 100, 65536
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_PHRASES = {s.value: s.phrase for s in HTTPStatus}
_FORMAT_NAMES = {
    "json": "json", "application/sparql-results+json": "json", "application/json": "json",
    "xml": "xml", "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "csv": "csv", "text/csv": "csv", "tsv": "tsv", "text/tab-separated-values": "tsv",
    "turtle": "turtle", "ttl": "turtle", "text/turtle": "turtle", "application/x-turtle": "turtle",
    "n3": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle", "application/rdf+n3": "turtle",
    "ntriples": "ntriples", "nt": "ntriples", "application/n-triples": "ntriples", "text/plain": "ntriples",
    "rdf+xml": "rdfxml", "rdfxml": "rdfxml", "application/rdf+xml": "rdfxml",
    "json-ld": "jsonld", "jsonld": "jsonld", "application/ld+json": "jsonld", "application/x-json+ld": "jsonld",
    "*/*": "*", "application/*": "*", "text/*": "*",
}


def wanted_formats(fields: dict, accept: str) -> list[str]:
    """Formats the client asked for, best first: ``format``/``output`` fields, then ``Accept``
    (a media type we cannot write is ``"?"``: no match, so only it in Accept means 406)."""
    out = []
    for key in ("format", "output"):
        for v in fields.get(key, []):
            f = _FORMAT_NAMES.get(v.strip().lower())
            if f:
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
        if not bits[0]:
            continue
        f = _FORMAT_NAMES.get(bits[0].lower(), "?")  # "?": a type we cannot write (406 if alone)
        if q > 0:
            prefs.append((-q, n, f))
    out += [f for _, _, f in sorted(prefs)]
    return out


def form_fields(text: str) -> dict[str, list[str]]:
    """``application/x-www-form-urlencoded`` fields, as ``parse_qs(text, keep_blank_values=True)``
    reads them (fields split at ``&``, a field without ``=`` has the value ``""``, ``+`` is a
    space, ``%XX`` a byte of UTF-8, bad UTF-8 replaced), about six times faster: a SPARQL query
    in a form has hundreds of escapes, and the standard library decodes them one by one in
    Python (0.1 ms of the HTTP process's time for each preset)."""
    fields: dict[str, list[str]] = {}
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            fields.setdefault(_unquote_plus(name), []).append(_unquote_plus(value))
    return fields


def _unquote_plus(text: str) -> str:
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:  # every %XX as the escape \xXX, decoded by the codec (backslashes are escaped first)
        raw = text.encode("utf-8").replace(b"\\", b"\\\\").replace(b"%", b"\\x")
        return raw.decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")
    except (UnicodeDecodeError, UnicodeEncodeError):  # a % not followed by two hex digits, ...
        return unquote(text, errors="replace")


def _host_name(value: str) -> str:
    """``Host`` / ``Origin`` authority without the port, lower case (``[::1]:80`` -> ``::1``)."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class _DeadlineReader(io.RawIOBase):
    """The connection's reads, each limited by the handler's current deadline and idle timeout."""

    def __init__(self, sock: socket.socket, handler: Handler):
        self.sock, self.handler = sock, handler

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        left = self.handler.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request deadline passed")
        self.sock.settimeout(min(left, self.handler.server.idle_timeout))
        return self.sock.recv_into(buf)


class Headers:
    """A request's header fields by lower-case name, in the order they came (what the handler asks:
    ``get`` the first value, ``get_all`` every one)."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, list[str]]):
        self._fields = fields

    def get(self, name: str, default=None):
        values = self._fields.get(name.lower())
        return values[0] if values else default

    def get_all(self, name: str, default=None):
        return self._fields.get(name.lower(), default)


def read_headers(rfile) -> Headers | tuple[int, str]:
    """The header block from ``rfile`` (up to its empty line), or ``(status, reason)`` when it breaks
    a rule: a line over :data:`MAX_LINE` bytes or more than :data:`MAX_HEADERS` lines (431), a
    folded line, a line without a colon, a name that is not a token (a space before the colon:
    RFC 9112 5.1) or a value with a control character (400)."""
    fields: dict[str, list[str]] = {}
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            return 431, "header line too long"
        if line in (b"\r\n", b"\n", b""):
            return Headers(fields)
        if line[0] in b" \t":
            return 400, "folded header lines are not accepted"
        name, colon, value = line.decode("latin-1").partition(":")
        if not colon or not _TOKEN.fullmatch(name):
            return 400, "bad header line"
        value = value.rstrip("\r\n").strip(" \t")
        if _BAD_VALUE.search(value):
            return 400, "control character in a header value"
        fields.setdefault(name.lower(), []).append(value)
    return 431, "too many header lines"


_date = [0, ""]  # the Date header of the current second


def _http_date() -> str:
    now = int(time.time())
    if _date[0] != now:
        _date[:] = now, formatdate(now, usegmt=True)
    return _date[1]


class Handler(BaseHTTPRequestHandler):
    server_version = "kg-serve/1"
    protocol_version = "HTTP/1.1"
    error_content_type = "text/plain; charset=utf-8"
    error_message_format = "%(code)d %(message)s: %(explain)s\n"
    server: KGServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.deadline = time.monotonic() + self.server.header_timeout
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, self))

    def handle_one_request(self) -> None:
        # the request line and headers must arrive within header_timeout of the first wait
        # (the idle timeout bounds each wait in between)
        self.deadline = time.monotonic() + self.server.idle_timeout + self.server.header_timeout
        super().handle_one_request()

    def parse_request(self) -> bool:
        """The request line (``METHOD target HTTP/1.x``) and headers (:func:`read_headers`); an
        error answer (plain text, connection closed) and False when they break a rule."""
        self.command, self.request_version, self.close_connection = None, "HTTP/0.9", True
        self.requestline = line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = line.split()
        if not words:
            return False
        if len(words) != 3 or words[2] not in ("HTTP/1.1", "HTTP/1.0"):
            version = words[-1] if len(words) == 3 else ""
            if version.startswith("HTTP/") and version[5:6].isdigit() and version[5:6] > "1":
                self._text(505, f"HTTP version not supported ({version[:20]!r}): use HTTP/1.1", close=True)
            else:
                self._text(400, f"bad request line {line[:200]!r}: expected METHOD /path HTTP/1.1", close=True)
            return False
        self.command, path, self.request_version = words
        self.path = "/" + path.lstrip("/") if path.startswith("//") else path
        headers = read_headers(self.rfile)
        if isinstance(headers, tuple):
            self.headers = Headers({})
            self._text(*headers, close=True)
            return False
        self.headers = headers
        options = {t.strip() for t in (headers.get("Connection") or "").lower().split(",")}  # "TE, close"
        self.close_connection = "close" in options or (words[2] == "HTTP/1.0" and "keep-alive" not in options)
        if (headers.get("Expect") or "").lower() == "100-continue" and words[2] == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.deadline = time.monotonic() + self.server.body_timeout  # the body has its own limit
        return True

    def log_message(self, fmt, *args):  # quiet by default; kg serve --verbose turns it on
        if self.server.verbose:
            super().log_message(fmt, *args)

    def _send(self, ans: Answer) -> None:
        """Status line, headers and body in one write (with TCP_NODELAY: one segment for a small
        answer, so a keep-alive client's delayed ACK does not stall it)."""
        if self.server.verbose:
            self.log_request(ans.status)
        head = [f"HTTP/1.1 {ans.status} {_PHRASES.get(ans.status, '')}\r\nServer: {self.version_string()}\r\n"
                f"Date: {_http_date()}\r\nContent-Type: {ans.content_type}\r\nContent-Length: {len(ans.body)}\r\n"
                "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"]
        if ans.content_type.startswith("text/html"):
            head.append(f"Content-Security-Policy: {CSP}\r\nX-Frame-Options: DENY\r\n")
        if self.close_connection:
            head.append("Connection: close\r\n")
        for k, v in ans.headers.items():
            head.append(f"{k}: {_BAD_VALUE.sub(' ', v)}\r\n")
        head.append("\r\n")
        data = "".join(head).encode("latin-1", "replace")
        self.wfile.write(data + ans.body if self.command != "HEAD" else data)

    def _text(self, status: int, message: str, close: bool = False) -> None:
        if close:
            self.close_connection = True
        self._send(Answer(status, "text/plain; charset=utf-8", (message + "\n").encode()))

    def _forbidden(self) -> None:
        self._text(403, "this endpoint is read-only: updates and Graph Store writes are not allowed")

    # --- checks done before any route
    def _read_body(self) -> bytes | None:
        """The request body, read in full; None when an error answer was sent (connection closed)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._text(411, "chunked request bodies are not supported: send a Content-Length", close=True)
            return None
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return b""
        if len(set(values)) != 1 or not values[0].strip().isdigit() or not values[0].strip().isascii():
            self._text(400, f"bad Content-Length {', '.join(values)!r}: expected one whole number of bytes", close=True)
            return None
        length = int(values[0])
        if length > MAX_BODY:
            self._text(413, f"request body too large ({length} bytes; at most {MAX_BODY})", close=True)
            return None
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            return None
        if len(body) != length:
            self.close_connection = True
            return None
        return body

    def _host_ok(self) -> bool:
        host = self.headers.get("Host")
        if host is None or _host_name(host) not in self.server.allowed_hosts:
            shown = (host or "(none)")[:100]
            self._text(403, f"Host {shown!r} is not served here (DNS rebinding protection); "
                            f"start kg serve with --allow-host NAME to allow a name", close=True)
            return False
        return True

    def _same_origin(self) -> bool:
        """A POST must not come from another web site's page (Origin, or Sec-Fetch-Site)."""
        origin = self.headers.get("Origin")
        site = (self.headers.get("Sec-Fetch-Site") or "").lower()
        if origin is not None:
            url = urlsplit(origin.strip())
            host = self.headers.get("Host", "").strip().lower()
            if url.scheme != "http" or url.netloc.lower() != host:
                self._text(403, f"cross-origin request from {origin[:100]!r} refused: the endpoint only answers "
                                "its own page and non-browser clients")
                return False
        if site and site not in ("same-origin", "none"):
            self._text(403, f"cross-site request refused (Sec-Fetch-Site: {site[:40]})")
            return False
        return True

    # --- routes
    def do_GET(self):
        body = self._read_body()
        if body is None or not self._host_ok():
            return
        url = urlsplit(self.path)
        if url.path in STATIC:
            name, ctype = STATIC[url.path]
            return self._send(Answer(200, ctype, (HERE / name).read_bytes()))
        if url.path == "/api/presets":
            return self._send(Answer(200, "application/json", self.server.presets_json))
        if url.path == "/sparql":
            fields = form_fields(url.query)
            if "update" in fields:
                return self._forbidden()
            return self._query(fields)
        self._text(404, f"no such page: {url.path[:200]} (the SPARQL endpoint is /sparql)")

    do_HEAD = do_GET

    def do_POST(self):
        raw = self._read_body()
        if raw is None or not self._host_ok() or not self._same_origin():
            return
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._forbidden()
        body = raw.decode("utf-8", "replace")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        fields = form_fields(url.query)
        if ctype == "application/sparql-update":
            return self._forbidden()
        if ctype == "application/sparql-query":
            fields["query"] = [body]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            for k, v in form_fields(body).items():
                fields.setdefault(k, []).extend(v)
        else:  # RDF data posted to the endpoint: a Graph Store write
            return self._forbidden()
        if "update" in fields:
            return self._forbidden()
        self._query(fields)

    def do_PUT(self):
        if self._read_body() is not None:
            self._forbidden()

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT

    def _query(self, fields: dict) -> None:
        text = (fields.get("query") or [""])[0]
        if not text.strip():
            return self._text(400, "missing 'query' parameter (SPARQL 1.1 Protocol: /sparql?query=...)")
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
    idle_timeout = 15.0  # seconds a keep-alive connection may wait for its next request
    header_timeout = 10.0  # seconds for a request line and headers to arrive once started
    body_timeout = 30.0  # seconds for a request body
    max_connections = 64  # open connections (one thread each); more are answered 503 and closed

    def server_activate(self) -> None:
        super().server_activate()
        self._slots = threading.BoundedSemaphore(self.max_connections)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 32\r\nConnection: close\r\nRetry-After: 1\r\n\r\n"
                                b"too many open connections; wait\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def make_server(source, host: str = "127.0.0.1", port: int = 7878, workers: int = 2,
                timeout: float = 10.0, max_rows: int = 10000, verbose: bool = False,
                allow_hosts: tuple[str, ...] = (), memory_mb: int | None = None,
                cache_mb: float = 64) -> KGServer:
    """Bind the endpoint (port 0 picks a free port) and start the query workers; call
    ``serve_forever()`` on the result, and ``server_close()`` + ``server.pool.close()`` to stop.

    Requests must name the server by a loopback name, the address it listens on, or one of
    ``allow_hosts`` (``Host`` header); each query worker is limited to ``memory_mb`` (replaced when
    over it). ``workers`` answer ordinary queries, one more (at low priority) expensive ones;
    answers are cached for the current snapshot, up to ``cache_mb`` MB (0: no cache)."""
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
    server.allowed_hosts = {h.lower() for h in (*LOOPBACK_NAMES, host, *allow_hosts)} - {"", "0.0.0.0", "::"}
    server.presets_json = json.dumps([p.to_dict() for p in presets().values()], ensure_ascii=False).encode()
    try:
        server.pool = QueryPool(str(source), workers=workers, timeout=timeout, max_rows=max_rows,
                                memory_mb=memory_mb, cache_mb=cache_mb)
    except BaseException:
        server.server_close()
        raise
    return server


def serve(source, **kwargs) -> None:
    import gc

    server = make_server(source, **kwargs)
    gc.freeze()  # the modules and presets loaded so far: not walked by the collector at each request
    try:
        server.serve_forever()
    finally:
        server.server_close()
        server.pool.close()
