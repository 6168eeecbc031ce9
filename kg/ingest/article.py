"""The plain data that leaves the ingest stage."""
from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Passage:
    """One unit of body text the NLP sees (a digest bullet, a paragraph).

    ``text`` is what the model reads: citation markers removed, names NFC-normalised, invisible
    format characters (zero-width, bidi controls, BOM) dropped. Two maps lead back to the input:

    * ``offsets``: runs ``(clean_start, raw_start, length)`` locating ``text`` in the input file
      (character offsets of the file as written, see :func:`kg.ingest.readers.decode`); the gaps
      between runs are what was dropped, so any span of ``text`` is located exactly
      (:meth:`raw_span`);
    * ``edits``: ``(clean_start, clean_length, original)`` wherever normalisation changed the
      text, so evidence can be quoted verbatim (:meth:`verbatim`).
    """

    text: str
    section: str = ""
    offsets: tuple[tuple[int, int, int], ...] = ()
    edits: tuple[tuple[int, int, str], ...] = ()

    def raw_offset(self, i: int, *, end: bool = False) -> int | None:
        """File offset of position ``i`` of ``text``. At a run boundary a start belongs to the run
        that begins there and an end to the run that ends there (dropped characters in between
        belong to neither)."""
        hit = None
        for clean_start, raw_start, length in self.offsets:
            if clean_start <= i <= clean_start + length:
                hit = raw_start + (i - clean_start)
                if end or i < clean_start + length:
                    return hit
        return hit

    def raw_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Character span in the input file of ``text[start:end]`` (None for stdin/JSON inputs)."""
        a = self.raw_offset(start)
        b = self.raw_offset(end, end=True)
        if a is None or b is None:
            return None
        # characters dropped right before the span belong to it, as in verbatim()
        a -= sum(len(original) for at, n, original in self.edits if at == start and n == 0)
        return a, b

    def verbatim(self, start: int, end: int) -> str:
        """``text[start:end]`` as the input wrote it: normalised names and dropped invisible
        characters put back (citation markers stay removed). Characters dropped right before
        ``start`` are part of the span, those right after ``end`` are not."""
        if not self.edits:
            return self.text[start:end]
        out: list[str] = []
        pos = start
        for at, n, original in self.edits:
            inside = start <= at < end if n == 0 else start <= at and at + n <= end
            if not inside or at < pos:
                continue
            out.append(self.text[pos:at])
            out.append(original)
            pos = at + n
        out.append(self.text[pos:end])
        return "".join(out)

    def shifted(self, to_file) -> Passage:
        """The passage with its run starts mapped through ``to_file`` (decoded text -> file offset)."""
        if not self.offsets:
            return self
        return replace(self, offsets=tuple((c, to_file(r), n) for c, r, n in self.offsets))


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
    """What a read produced besides articles.

    ``errors``: inputs (or parts of them) that could not be read -- the build exits non-zero;
    ``warnings``: things skipped or repaired that need no action to finish the build (a FIFO in a
    directory, a lone surrogate replaced); ``skipped``: files of other kinds in a directory.
    """

    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
