"""Turning raw body text into clean passages with exact offsets back into the file."""
from __future__ import annotations

import re

from kg.ingest.article import Passage

# One or more citation markers: [3], [3][5], [1, 2], [2-4]; a following period stays with the text.
CITATIONS = re.compile(r"[ \t]*(?:\[\d{1,3}(?:\s*[,\-\u2013]\s*\d{1,3})*\])+")
# A bullet separator: a dash standing alone between spaces.
BULLET_SEP = re.compile(r"\s+[-\u2013\u2014\u2022]\s+")
HEADING_MAX_WORDS = 12


class _Builder:
    """Accumulates pieces of one passage and the offset runs that map it back to the file."""

    def __init__(self, section: str):
        self.section = section
        self.parts: list[str] = []
        self.runs: list[tuple[int, int, int]] = []
        self.length = 0

    def add(self, piece: str, raw_start: int | None) -> None:
        # trim, keeping raw offsets right
        lead = len(piece) - len(piece.lstrip())
        piece_s = piece.strip()
        if not piece_s:
            return
        if self.parts and piece_s[0] not in ".,;:!?)":
            self.parts.append(" ")
            self.length += 1
        if raw_start is not None:
            self.runs.append((self.length, raw_start + lead, len(piece_s)))
        self.parts.append(piece_s)
        self.length += len(piece_s)

    def passage(self) -> Passage | None:
        text = "".join(self.parts)
        if not text.strip(" .;,"):
            return None
        return Passage(text=text, section=self.section, offsets=tuple(self.runs))


def _flush(builder: "_Builder | None", passages: list[Passage]) -> None:
    if builder is not None and (p := builder.passage()) is not None:
        passages.append(p)


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
