"""kg serve's own request-line and header reading (kg.server.app.read_headers), over raw sockets on
127.0.0.1: what it refuses (folded lines, a space before the colon, control characters, too many or
too long lines, HTTP/2 and HTTP/0.9 lines), keep-alive for HTTP/1.0 and 1.1, ``Expect:
100-continue``; and, for well-formed header blocks, the same fields as the standard library's parser."""
from __future__ import annotations

import email.parser
import io
import socket
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.server.app import MAX_HEADERS, Headers, read_headers

ASK = urllib.parse.quote("ASK { ?s ?p ?o }").encode()


@pytest.fixture(scope="module")
def address(sample_graph_path):
    from tests_support import serving

    with serving(sample_graph_path, workers=1, timeout=5.0) as url:
        host, port = urllib.parse.urlsplit(url).netloc.split(":")
        yield host, int(port)


def _exchange(address, data: bytes, answers: int = 1) -> list[bytes]:
    """Send ``data``, read ``answers`` complete answers (status line + headers + body), or fewer if
    the server closes first; the last item is b"closed" when it did."""
    s = socket.create_connection(address, timeout=10)
    s.sendall(data)
    buf, out = b"", []
    try:
        while len(out) < answers:
            head_end = buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = buf[:head_end].decode("latin-1")
                length = next((int(line.split(":", 1)[1]) for line in head.split("\r\n")
                               if line.lower().startswith("content-length:")), 0)
                if len(buf) >= head_end + 4 + length:
                    out.append(buf[:head_end + 4 + length])
                    buf = buf[head_end + 4 + length:]
                    continue
            chunk = s.recv(65536)
            if not chunk:
                out.append(b"closed")
                return out
            buf += chunk
        s.settimeout(0.5)
        try:
            if s.recv(1) == b"":
                out.append(b"closed")
        except TimeoutError:
            pass
        return out
    finally:
        s.close()


def _get(host_port, extra: bytes = b"", version: bytes = b"HTTP/1.1") -> bytes:
    return (b"GET /sparql?query=" + ASK + b" " + version + b"\r\nHost: " + host_port + b"\r\n" + extra +
            b"Accept: application/sparql-results+json\r\n\r\n")


@pytest.mark.parametrize("extra, status", [
    (b"X-A: 1\r\n folded\r\n", 400),  # obsolete line folding
    (b"Host : 127.0.0.1\r\n", 400),  # a space before the colon (RFC 9112 5.1: must be refused)
    (b"no colon here\r\n", 400),
    (b"X-A: a\x00b\r\n", 400),  # a control character in a value
    (b"X-A: a\rb\r\n", 400),  # a bare CR inside a value
    (b"".join(b"X-%d: 1\r\n" % i for i in range(MAX_HEADERS + 1)), 431),
    (b"X-Long: " + b"a" * 70000 + b"\r\n", 431),
])
def test_bad_header_blocks_are_refused_and_the_connection_closed(address, extra, status):
    host_port = f"127.0.0.1:{address[1]}".encode()
    out = _exchange(address, _get(host_port, extra) + _get(host_port), answers=2)
    assert out[0].startswith(b"HTTP/1.1 %d " % status), out[0][:200]
    assert b"text/plain" in out[0] and out[-1] == b"closed" and len(out) == 2


@pytest.mark.parametrize("line, status", [
    (b"GET /sparql HTTP/2.0", 505), (b"GET /sparql", 400), (b"GET /sparql HTTP/1.x", 400),
    (b"GET  /sparql HTTP/1.1 extra", 400), (b"get /sparql http/1.1", 400),
])
def test_bad_request_lines(address, line, status):
    out = _exchange(address, line + b"\r\nHost: localhost\r\n\r\n")
    assert out[0].startswith(b"HTTP/1.1 %d " % status) and b"text/plain" in out[0], out[0][:200]


@pytest.mark.parametrize("version, extra, stays_open", [
    (b"HTTP/1.1", b"", True), (b"HTTP/1.1", b"Connection: close\r\n", False),
    (b"HTTP/1.0", b"", False), (b"HTTP/1.0", b"Connection: keep-alive\r\n", True),
    (b"HTTP/1.1", b"Connection: TE, Close\r\n", False), (b"HTTP/1.0", b"Connection: Keep-Alive, TE\r\n", True),
])
def test_keep_alive_by_version_and_connection_header(address, version, extra, stays_open):
    host_port = f"127.0.0.1:{address[1]}".encode()
    out = _exchange(address, _get(host_port, extra, version))
    assert out[0].startswith(b"HTTP/1.1 200 ") and out[0].endswith(b"true}"), out[0][:300]
    assert (out[-1] != b"closed") == stays_open
    assert (b"Connection: close" in out[0]) == (not stays_open)


def test_expect_100_continue_then_the_answer(address):
    body = b"query=" + ASK
    s = socket.create_connection(address, timeout=10)
    try:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert s.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        s.settimeout(5)
        answer = b""
        while not answer.endswith(b"}"):
            answer += s.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nDate: " in answer and b"\r\nServer: kg-serve/1" in answer
    finally:
        s.close()


def test_head_has_the_length_but_no_body(address):
    host_port = f"127.0.0.1:{address[1]}".encode()
    get = _exchange(address, _get(host_port, b"Connection: close\r\n"))[0]
    s = socket.create_connection(address, timeout=10)
    s.sendall(_get(host_port, b"Connection: close\r\n").replace(b"GET", b"HEAD", 1))
    head = b""
    while chunk := s.recv(65536):
        head += chunk
    s.close()
    length = [line for line in get.split(b"\r\n") if line.startswith(b"Content-Length")]
    assert head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n") and length
    assert length[0] in head.split(b"\r\n") and int(length[0].split(b":")[1]) > 0


_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~",
                min_size=1, max_size=20)
_VALUE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
                 max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_NAME, _VALUE), max_size=12), st.sampled_from([b"\r\n", b"\n"]))
def test_well_formed_headers_read_as_the_standard_library_reads_them(fields, eol):
    raw = b"".join(f"{k}: {v}".encode("latin-1") + eol for k, v in fields) + eol
    ours = read_headers(io.BufferedReader(io.BytesIO(raw + b"BODY")))
    theirs = email.parser.Parser().parsestr(raw.decode("latin-1"))
    assert isinstance(ours, Headers)
    for name, _ in fields:
        assert ours.get_all(name) == [v.strip(" \t") for v in theirs.get_all(name)]
        assert ours.get(name.upper()) == theirs.get(name).strip(" \t")
    assert ours.get("X-Not-Sent") is None and ours.get_all("X-Not-Sent") is None
