"""Resolution of a streamed build (``kg build --window``), from per-article records on disk.

Extraction writes each article's record (:class:`Spool`: the plain extraction, never a spaCy
Doc) as soon as its window is done, and counts the corpus's class votes on the way. Resolution
then reads the records back three times, one article at a time, with
:class:`kg.resolve.entities.Resolver`: the text-defined aliases of every article, then each
article's mentions in corpus order (their entities; one small record per article on disk), then
each article with its facts checked against the final classes (:func:`resolved`). Memory holds
the registry (entities, their names and votes, the name index), not the corpus; the result is
what :func:`kg.resolve.entities.resolve` gives for the same records in memory.
"""
from __future__ import annotations

import pickle
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

from kg.extract.reference import ReferenceData
from kg.extract.types import ArticleExtraction
from kg.resolve.entities import Resolver, count_votes, retype, winners


class Spool:
    """Per-article records in a file of ``directory``, in corpus order, and the class votes of
    every record written (:func:`kg.resolve.entities.count_votes`).

    The records are pickled :class:`ArticleExtraction` objects (plain dataclasses: the article,
    its mentions, facts and figures) without the relation candidates, which only extraction
    reads; the file is this build's own and is removed with its directory."""

    def __init__(self, directory: str | Path, name: str = "records"):
        self.path = Path(directory) / f"{name}.pickle"
        self._out = open(self.path, "wb")
        self.votes: dict[str, Counter] = defaultdict(Counter)
        self.count = 0

    def add(self, ex: ArticleExtraction) -> None:
        count_votes(self.votes, ex)
        pickle.dump(replace(ex, candidates=[]), self._out, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()

    def __iter__(self):
        self.close()
        yield from _read(self.path)


def _read(path: Path):
    with open(path, "rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


def resolved(spool: Spool, reference: ReferenceData, resolver: Resolver | None = None):
    """``(article, entity id of each mention, type notes by fact index)`` for each record of
    ``spool`` in order, the articles retyped and their facts checked as :func:`resolve` does;
    ``resolver`` (a new one if None) holds the entities when the generator is done."""
    resolver = Resolver(reference) if resolver is None else resolver
    voted = winners(spool.votes)
    for ex in spool:
        resolver.aliases(retype(ex, voted))
    assigned = spool.path.with_name(spool.path.stem + "-entities.pickle")
    try:
        with open(assigned, "wb") as fh:
            for ex in spool:
                pickle.dump(resolver.assign(retype(ex, voted)), fh, protocol=pickle.HIGHEST_PROTOCOL)
        resolver.finish()
        for orig, mentions in zip(spool, _read(assigned)):
            ex = retype(orig, voted)
            notes, _dropped = resolver.check(ex, orig, mentions)
            yield ex, mentions, notes
    finally:
        assigned.unlink(missing_ok=True)
