"""N-Quads written as a stream: the graph of a big build, one named graph per article, without
an rdflib graph of the whole corpus in memory.

Each article's triples are made in a small graph of their own (:func:`kg.rdf.mapping.add_extraction`)
and turned into N-Quads lines at once; the lines are sorted on disk (sorted runs of a bounded size
in temporary files, merged at the end), so the file is the one ``kg export graph.ttl -f nq`` writes
for the same graph: the same lines (rdflib's own N-Quads row writer, control characters escaped),
sorted, without duplicates. ``oxigraph load`` and other stores' bulk loaders read it.
"""
from __future__ import annotations

import heapq
import tempfile
from pathlib import Path

# Lines held in memory before a sorted run goes to disk (about 200 bytes each: ~25 MB with the set).
RUN_LINES = 100_000


def quad_lines(graph, name=None):
    """The N-Quads lines (bytes, without the newline) of ``graph``'s triples in the graph named
    ``name`` (None: the default graph), exactly as :func:`kg.export.rdf.write_nquads` writes them."""
    from rdflib.plugins.serializers.nquads import _nq_row

    from kg.export.rdf import escape_controls

    for triple in graph:
        # rdflib encodes its rows as UTF-8 with "replace" (a lone surrogate becomes "?")
        row = _nq_row(triple, name).encode("utf-8", "replace").decode("utf-8")
        yield escape_controls(row).rstrip("\n").encode("utf-8")


class SortedLines:
    """Lines sorted on disk with bounded memory: runs of ``run_lines`` lines are sorted and
    written to temporary files in ``directory``, then merged (duplicates dropped) by :meth:`write`.
    Bytes of UTF-8 sort in code point order, so the order is that of sorting the text."""

    def __init__(self, directory: str | Path, run_lines: int = RUN_LINES):
        self.directory, self.run_lines = Path(directory), run_lines
        self._lines: set[bytes] = set()
        self._runs: list[Path] = []

    def add(self, lines) -> None:
        self._lines.update(lines)
        if len(self._lines) >= self.run_lines:
            self._flush()

    def _flush(self) -> None:
        if not self._lines:
            return
        fd, name = tempfile.mkstemp(prefix="run-", suffix=".nq", dir=self.directory)
        with open(fd, "wb") as fh:
            fh.writelines(line + b"\n" for line in sorted(self._lines))
        self._lines = set()
        self._runs.append(Path(name))

    def merged(self):
        """Every line added, in order, once (each with its newline)."""
        self._flush()
        files = [open(p, "rb") for p in self._runs]
        try:
            last = None
            for line in heapq.merge(*files, key=_without_newline):
                if line != last:
                    yield line
                    last = line
        finally:
            for fh in files:
                fh.close()
            for p in self._runs:
                p.unlink(missing_ok=True)
            self._runs = []

    def write(self, path: str | Path) -> Path:
        """The sorted lines into ``path``, replaced whole (a temporary file renamed)."""
        from kg.util import atomic_write

        with atomic_write(path, mode="wb") as fh:
            fh.writelines(self.merged())
        return Path(path)


def _without_newline(line: bytes) -> bytes:
    """The order of the lines themselves (a line that is a prefix of another sorts first)."""
    return line[:-1]
