"""Turning raw body text into clean passages with exact offsets back into the file."""
from __future__ import annotations

import re
import unicodedata

from kg.ingest.article import Passage

# One or more citation markers: [3], [3][5], [1, 2], [2-4]; a following period stays with the text.
CITATIONS = re.compile(r"[ \t]*(?:\[\d{1,3}(?:\s*[,\-\u2013]\s*\d{1,3})*\])+")
# A bullet separator: a dash standing alone between spaces.
BULLET_SEP = re.compile(r"\s+[-\u2013\u2014\u2022]\s+")
HEADING_MAX_WORDS = 12


# Invisible format characters that split or disguise a name without showing: soft hyphen, Arabic
# letter mark, Mongolian vowel separator, zero-width space/joiners, LRM/RLM, bidi embeddings,
# overrides and isolates, word joiner and invisible operators, BOM / zero-width no-break space.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# The model reads at most this many characters at once: spaCy refuses texts over nlp.max_length
# (1,000,000) and needs about 1 GB per 100,000 characters to parse one, so a longer paragraph is
# split at sentence ends into several passages (offsets kept), which costs at most a relation
# across the cut of a paragraph no news text has.
MAX_PASSAGE_CHARS = 20_000
_SENTENCE_ENDS = (". ", "! ", "? ", "\u3002", "\uff01", "\uff1f", "; ")


def normalise_name_text(text: str) -> str:
    """Titles, sources, sections: NFC, invisible format characters dropped."""
    return unicodedata.normalize("NFC", INVISIBLE.sub("", text)).strip()


def _clusters(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """Spans of ``s[a:b]`` that NFC composes independently: a starter and the marks (or Hangul
    vowel/trailing jamo) after it."""
    spans: list[tuple[int, int]] = []
    start = a
    for i in range(a + 1, b):
        c = s[i]
        if unicodedata.combining(c) == 0 and not "\u1160" <= c <= "\u11ff":
            spans.append((start, i))
            start = i
    spans.append((start, b))
    return spans


def _normalised_segments(s: str) -> list[tuple[str, int, int]]:
    """``s`` cut into ``(text, source_start, source_length)`` segments whose texts joined are the
    normalised ``s``: invisible characters fall between segments, an NFC-changed cluster is a
    segment of its own."""
    kept: list[tuple[int, int]] = []
    pos = 0
    for m in INVISIBLE.finditer(s):
        if m.start() > pos:
            kept.append((pos, m.start()))
        pos = m.end()
    if pos < len(s):
        kept.append((pos, len(s)))
    out: list[tuple[str, int, int]] = []
    for a, b in kept:
        if unicodedata.is_normalized("NFC", s[a:b]):
            out.append((s[a:b], a, b - a))
            continue
        run = a
        for ca, cb in _clusters(s, a, b):
            composed = unicodedata.normalize("NFC", s[ca:cb])
            if composed != s[ca:cb]:
                if run < ca:
                    out.append((s[run:ca], run, ca - run))
                out.append((composed, ca, cb - ca))
                run = cb
        if run < b:
            out.append((s[run:b], run, b - run))
    return out


class _Builder:
    """Accumulates pieces of one passage and the maps that lead it back to the file."""

    def __init__(self, section: str):
        self.section = normalise_name_text(section) if section else section
        self.parts: list[str] = []
        self.runs: list[tuple[int, int, int]] = []
        self.edits: list[tuple[int, int, str]] = []
        self.length = 0

    def add(self, piece: str, raw_start: int | None) -> None:
        # trim, keeping raw offsets right
        lead = len(piece) - len(piece.lstrip())
        piece_s = piece.strip()
        if not piece_s:
            return
        if piece_s.isascii():
            segments = [(piece_s, 0, len(piece_s))]
        else:
            segments = _normalised_segments(piece_s)
            if not segments:
                return
        if self.parts and segments[0][0][0] not in ".,;:!?)":
            self.parts.append(" ")
            self.length += 1
        cursor = 0
        for seg, src, n in segments:
            if src > cursor:  # invisible characters dropped here
                self.edits.append((self.length, 0, piece_s[cursor:src]))
            if raw_start is not None:
                self.runs.append((self.length, raw_start + lead + src, len(seg)))
            if len(seg) != n or seg != piece_s[src:src + n]:
                self.edits.append((self.length, len(seg), piece_s[src:src + n]))
            self.parts.append(seg)
            self.length += len(seg)
            cursor = src + n
        if cursor < len(piece_s):
            self.edits.append((self.length, 0, piece_s[cursor:]))

    def passages(self) -> list[Passage]:
        text = "".join(self.parts)
        if not text.strip(" .;,"):
            return []
        if len(text) <= MAX_PASSAGE_CHARS:
            return [Passage(text=text, section=self.section, offsets=tuple(self.runs), edits=tuple(self.edits))]
        return [self._slice(text, a, b) for a, b in _cuts(text, MAX_PASSAGE_CHARS)]

    def _slice(self, text: str, a: int, b: int) -> Passage:
        """The passage of ``text[a:b]``, its runs and edits clipped and re-based."""
        runs = []
        for c, r, n in self.runs:
            lo, hi = max(c, a), min(c + n, b)
            if lo < hi:
                runs.append((lo - a, r + (lo - c), hi - lo))
        edits = tuple((at - a, n, orig) for at, n, orig in self.edits if a <= at and at + n <= b)
        return Passage(text=text[a:b], section=self.section, offsets=tuple(runs), edits=edits)


def _cuts(text: str, limit: int) -> list[tuple[int, int]]:
    """Spans of at most ``limit`` characters covering ``text`` (without the spaces between them),
    ending at a sentence end where one is in the second half of the window, else at a space."""
    spans = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = max((i + len(e) for e in _SENTENCE_ENDS if (i := window.rfind(e)) >= 0), default=0)
        if cut < limit // 2:
            cut = window.rfind(" ") + 1
        if cut <= 0:
            cut = limit
        end = start + cut
        spans.append((start, start + len(text[start:end].rstrip())))
        start = end + (len(text[end:end + limit]) - len(text[end:end + limit].lstrip()))
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if a < b]


def _flush(builder: "_Builder | None", passages: list[Passage]) -> None:
    if builder is not None:
        passages.extend(builder.passages())


def bullet_passages(line: str, raw_start: int | None, section: str = "") -> tuple[list[Passage], str]:
    """Split one digest body line (``Heading - bullet [1][2] - bullet [3] Heading - ...``).

    Section headings are kept as ``Passage.section`` and never enter the text the NLP sees;
    citation markers are removed. Returns the passages and the last section seen.
    """
    passages: list[Passage] = []
    current: _Builder | None = None

    def close():
        nonlocal current
        _flush(current, passages)
        current = None

    # chunks: text between citation groups
    pos = 0
    chunks: list[tuple[int, str, bool]] = []  # (start, text, ended_by_citation)
    for m in CITATIONS.finditer(line):
        chunks.append((pos, line[pos:m.start()], True))
        pos = m.end()
    if pos < len(line):
        chunks.append((pos, line[pos:], False))

    for c_start, chunk, _ in chunks:
        # a period right after citation markers belongs to the sentence before
        stripped = chunk.lstrip()
        if stripped.startswith(".") and current is not None:
            off = len(chunk) - len(stripped)
            c_start += off + 1
            chunk = stripped[1:]
        seps = list(BULLET_SEP.finditer(chunk))
        if not seps:
            if current is None:
                current = _Builder(section)
            current.add(chunk, None if raw_start is None else raw_start + c_start)
            continue
        # text before the first separator: a heading (short, no final period) or more bullet text
        head = chunk[: seps[0].start()]
        head_s = head.strip()
        if head_s:
            if len(head_s.split()) <= HEADING_MAX_WORDS and not head_s.endswith((".", ",", ";")):
                close()
                section = head_s
            else:
                if current is None:
                    current = _Builder(section)
                current.add(head, None if raw_start is None else raw_start + c_start)
        for i, sep in enumerate(seps):
            end = seps[i + 1].start() if i + 1 < len(seps) else len(chunk)
            close()
            current = _Builder(section)
            piece = chunk[sep.end(): end]
            current.add(piece, None if raw_start is None else raw_start + c_start + sep.end())
    close()
    return passages, section


def paragraph_passages(text: str, raw_start: int | None) -> list[Passage]:
    """Plain text/Markdown body: paragraphs (blank-line separated) and list items are passages;
    Markdown headings become the section of the passages under them."""
    passages: list[Passage] = []
    section = ""
    builder: _Builder | None = None
    pos = 0

    def close():
        nonlocal builder
        _flush(builder, passages)
        builder = None

    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            close()
            continue
        if stripped.startswith("#"):
            close()
            section = stripped.lstrip("#").strip()
            continue
        m = re.match(r"\s*(?:[-*\u2022]|\d{1,3}[.)])\s+", line)
        if m:
            close()
            line_body_start = m.end()
        else:
            line_body_start = 0
        if builder is None:
            builder = _Builder(section)
        # remove citation markers inside the line, keeping offsets of each piece
        last = line_body_start
        for cm in CITATIONS.finditer(line, line_body_start):
            builder.add(line[last:cm.start()], None if raw_start is None else raw_start + line_start + last)
            last = cm.end()
        builder.add(line[last:], None if raw_start is None else raw_start + line_start + last)
    close()
    return passages
