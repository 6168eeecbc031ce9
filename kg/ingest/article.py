"""The plain data that leaves the ingest stage."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Passage:
    """One unit of body text the NLP sees (a digest bullet, a paragraph).

    ``text`` is clean (citation markers removed); ``offsets`` maps it back to the input file:
    a tuple of runs ``(clean_start, raw_start, length)`` so that any span of ``text`` can be
    located exactly in the original file (see :meth:`raw_span`).
    """

    text: str
    section: str = ""
    offsets: tuple[tuple[int, int, int], ...] = ()

    def raw_offset(self, i: int) -> int | None:
        for clean_start, raw_start, length in self.offsets:
            if clean_start <= i <= clean_start + length:
                return raw_start + (i - clean_start)
        return None

    def raw_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Character span in the input file of ``text[start:end]`` (None for stdin/JSON inputs)."""
        a = self.raw_offset(start)
        b = self.raw_offset(end)
        if a is None or b is None:
            return None
        return a, b


@dataclass
class Article:
    """One news article, whatever format it came in."""

    id: str
    title: str
    source: str = ""
    date: str = ""  # YYYY-MM-DD or YYYY-MM-DDTHH:MM, "" when unknown
    url: str = ""
    path: str = ""  # input file ("-" for stdin)
    line: int = 0  # 1-based line of the title in the input file (JSONL: the record's line)
    passages: list[Passage] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.passages)

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass
class IngestReport:
    """What a read produced besides articles: skipped files and per-input errors."""

    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
