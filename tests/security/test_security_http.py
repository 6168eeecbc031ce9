"""Issue 12 item 3: the HTTP layer of kg serve, probed with raw sockets on 127.0.0.1.

Body-reading discipline (no request smuggling on keep-alive), bad Content-Length, header and
idle deadlines, the connection cap, the Host allow-list, cross-origin POSTs, the CSP.
"""
from __future__ import annotations

import socket
import threading
import time
import urllib.parse

import pytest

from kg.server import make_server

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(scope="module")
def server(sample_graph_path):
    srv = make_server(sample_graph_path, port=0, workers=1, timeout=5.0, allow_hosts=("kg.internal",))
    srv.idle_timeout, srv.header_timeout, srv.body_timeout = 1.0, 1.0, 1.0
    srv._slots = threading.BoundedSemaphore(16)
    srv.max_connections = 16
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()
    srv.pool.close()


def _conn(server) -> socket.socket:
    s = socket.create_connection(server.server_address[:2], timeout=10)
    return s


def _host(server) -> bytes:
    return f"127.0.0.1:{server.server_address[1]}".encode()


def _read_all(s: socket.socket, limit: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection (or ``limit`` seconds)."""
    out, end = b"", time.monotonic() + limit
    s.settimeout(0.5)
    while time.monotonic() < end:
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            continue
        if not chunk:
            return out
        out += chunk
    raise AssertionError(f"the server kept the connection open; got {out[:300]!r}")


def _statuses(raw: bytes) -> list[int]:
    return [int(line.split()[1]) for line in raw.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


def _last(server, path=b"/api/presets") -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: " + _host(server) + b"\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("method, path", [(b"PUT", b"/sparql"), (b"DELETE", b"/sparql"), (b"PATCH", b"/x"),
                                          (b"POST", b"/other"), (b"OPTIONS", b"/sparql"),
                                          (b"POST", b"/sparql")])
def test_a_refused_body_is_never_the_next_request(server, method, path):
    s = _conn(server)
    ctype = b"text/turtle" if method == b"POST" else b"application/octet-stream"
    s.sendall(method + b" " + path + b" HTTP/1.1\r\nHost: " + _host(server) + b"\r\nContent-Type: " + ctype +
              b"\r\nContent-Length: " + str(len(SMUGGLED)).encode() + b"\r\n\r\n" + SMUGGLED + _last(server))
    raw = _read_all(s)
    assert b"/smuggled" not in raw
    statuses = _statuses(raw)
    assert statuses[0] == 403 and len(statuses) <= 2, raw[:500]
    if len(statuses) == 2:
        assert statuses[1] == 200


def test_413_closes_the_connection(server):
    s = _conn(server)
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: " + _host(server) + b"\r\nContent-Type: application/sparql-query"
              b"\r\nContent-Length: 5000000\r\n\r\n" + SMUGGLED + _last(server))
    raw = _read_all(s)
    assert _statuses(raw) == [413] and b"/smuggled" not in raw


@pytest.mark.parametrize("value", [b"abc", b"-1", b"1e3", b"+5", b"5, 6", b"\xd9\xa3", b""])
def test_bad_content_length_is_400_not_a_traceback(server, value, capfd):
    s = _conn(server)
    t0 = time.monotonic()
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: " + _host(server) + b"\r\nContent-Length: " + value +
              b"\r\nContent-Type: application/sparql-query\r\n\r\nASK {}")
    raw = _read_all(s)
    assert time.monotonic() - t0 < 5
    assert _statuses(raw) in ([400], [200]) or value == b"", raw  # "" is no length: an empty body
    if value:
        assert _statuses(raw) == [400]
    assert "Traceback" not in capfd.readouterr().err


def test_two_content_lengths_and_chunked_are_refused(server):
    for headers in (b"Content-Length: 5\r\nContent-Length: 6\r\n", b"Transfer-Encoding: chunked\r\n"):
        s = _conn(server)
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: " + _host(server) + b"\r\n" + headers +
                  b"Content-Type: application/sparql-query\r\n\r\n5\r\nASK {}\r\n0\r\n\r\n" + SMUGGLED)
        raw = _read_all(s)
        assert _statuses(raw) in ([400], [411]) and b"/smuggled" not in raw


def test_idle_connection_is_closed(server):
    s = _conn(server)
    t0 = time.monotonic()
    assert _read_all(s, limit=8) == b""
    assert time.monotonic() - t0 < 5


def test_drip_fed_headers_are_cut_off(server):
    s = _conn(server)
    s.sendall(b"GET /api/presets HTTP/1.1\r\n")
    t0 = time.monotonic()
    closed = False
    while time.monotonic() - t0 < 8:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            closed = True
            break
        s.settimeout(0.3)
        try:
            if s.recv(1024) == b"":
                closed = True
                break
        except TimeoutError:
            pass
    assert closed and time.monotonic() - t0 < 5


def test_connection_cap_bounds_the_threads(server):
    server.idle_timeout = 30.0  # the idle connections stay open for the whole test
    try:
        before = threading.active_count()
        idle = [_conn(server) for _ in range(40)]
        time.sleep(0.5)
        assert threading.active_count() - before <= server.max_connections + 2
        extra = _conn(server)
        extra.sendall(_last(server))
        assert _statuses(_read_all(extra)) == [503]
        for c in idle:
            c.close()
    finally:
        server.idle_timeout = 1.0
    # the closed connections free their slots (the next tests need them)
    deadline = time.monotonic() + 20
    while True:
        s = _conn(server)
        s.sendall(_last(server))
        if _statuses(_read_all(s)) == [200] or time.monotonic() > deadline:
            break
        time.sleep(0.2)


@pytest.mark.parametrize("host, status", [(b"evil.example", 403), (b"evil.example:80", 403), (b"", 403),
                                          (b"localhost", 200), (b"kg.internal:7878", 200), (b"[::1]:9", 200)])
def test_host_allow_list(server, host, status):
    s = _conn(server)
    line = b"Host: " + host + b"\r\n" if host else b""
    s.sendall(b"GET /api/presets HTTP/1.1\r\n" + line + b"Connection: close\r\n\r\n")
    assert _statuses(_read_all(s)) == [status]


@pytest.mark.parametrize("headers, status", [
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "null"}, 403),
    ({"Origin": "http://127.0.0.1:1"}, 403),
    ({"Sec-Fetch-Site": "cross-site"}, 403),
    ({"Origin": "SAME", "Sec-Fetch-Site": "same-origin"}, 200),
    ({}, 200),
])
def test_cross_origin_posts_are_refused(server, headers, status):
    import urllib.error
    import urllib.request

    base = f"http://127.0.0.1:{server.server_address[1]}"
    headers = {k: (base if v == "SAME" else v) for k, v in headers.items()}
    body = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}).encode()
    req = urllib.request.Request(base + "/sparql", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            got = r.status
    except urllib.error.HTTPError as e:
        got = e.code
    assert got == status


@pytest.mark.parametrize("path", ["/", "/index.html", "/nope", "/sparql?query=%3F%3F"])
def test_every_answer_html_has_the_strict_csp(server, path):
    s = _conn(server)
    s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + _host(server) + b"\r\nConnection: close\r\n\r\n")
    head = _read_all(s).split(b"\r\n\r\n", 1)[0].decode().lower()
    if "content-type: text/html" in head:
        csp = [line for line in head.split("\r\n") if line.startswith("content-security-policy:")]
        assert len(csp) == 1 and "frame-ancestors 'none'" in csp[0] and "unsafe-inline" not in csp[0]
        assert "script-src 'self'" in csp[0]
    else:
        assert path not in ("/", "/index.html")
        assert "content-type: text/plain" in head or "application/" in head


def test_bad_request_line_is_plain_text(server):
    for line in (b"GET / HTTP/1.x\r\n\r\n", b"GET / x HTTP/1.1\r\nHost: localhost\r\n\r\n"):
        s = _conn(server)
        s.sendall(line)
        raw = _read_all(s)
        assert b"400" in raw and b"text/html" not in raw and b"<" not in raw


def test_answer_is_one_segment_with_nodelay(server):
    """Headers and body leave in one write: a keep-alive client gets a small answer fast."""
    s = _conn(server)
    req = (b"GET /sparql?query=" + urllib.parse.quote("ASK { ?s ?p ?o }").encode() + b" HTTP/1.1\r\nHost: " +
           _host(server) + b"\r\nAccept: application/sparql-results+json\r\n\r\n")
    s.sendall(req)
    s.settimeout(10)
    first = s.recv(65536)
    assert first.startswith(b"HTTP/1.1 200") and first.rstrip().endswith(b"}"), first
    s.close()
