"""Minting IRIs: the only place in the project that turns text into an IRI.

IRIs are deterministic (same input, same IRI) and strictly valid: every character outside the
RFC 3986 unreserved set is percent-encoded from UTF-8, so names holding quotes, spaces, ``<>``,
control characters, emoji or CJK still give IRIs that any strict parser accepts.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import URIRef

from kg.rdf.namespace import ENTITY_BASE

_DASHES = re.compile(r"[\s_\-\u2010-\u2015]+")
_DROP = re.compile(r"[\"'\u2018\u2019\u201c\u201d`]")


def slug(text: str) -> str:
    """A readable, stable key for a name: NFKC, case-folded, spaces to '-', quotes dropped."""
    s = unicodedata.normalize("NFKC", text).casefold().strip()
    s = _DROP.sub("", s)
    s = _DASHES.sub("-", s).strip("-")
    if s and not s.strip("."):  # "." or "..": a dot-segment in an IRI path; a stable key instead
        return "x-" + digest(s, length=8)
    return s or "x"


def digest(*parts: object, length: int = 16) -> str:
    """A short stable hash of the parts (used for nodes that have no natural name)."""
    # surrogatepass: a lone surrogate (JSON "\ud800") still hashes, deterministically
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()
    return h[:length]


def _segment(s: str) -> str:
    seg = quote(unicodedata.normalize("NFC", s), safe="", errors="replace")
    # "." and ".." are dot-segments, which IRI-normalising parsers (raptor's rapper) remove: percent-
    # encoded they stay a segment for them (slug() never gives one; this guards the other callers)
    return seg.replace(".", "%2E") if seg in (".", "..") else seg


def mint(*segments: str) -> URIRef:
    """The IRI ``<ENTITY_BASE>seg1/seg2/...``, each segment percent-encoded (``safe=''``)."""
    return URIRef(ENTITY_BASE + "/".join(_segment(s) for s in segments))


def entity_iri(coarse: str, key: str) -> URIRef:
    """One entity: ``id/org/xiaohongshu``, ``id/person/conan``. ``key`` is a slug or reference id."""
    return mint(coarse.lower(), slug(key))


def article_iri(article_id: str) -> URIRef:
    return mint("article", article_id)


def statement_iri(subject: str, predicate: str, obj: str, article_id: str, modality: str) -> URIRef:
    return mint("statement", digest(subject, predicate, obj, article_id, modality))


def metric_iri(*parts: object) -> URIRef:
    return mint("metric", digest(*parts))
