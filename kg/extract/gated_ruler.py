"""An EntityRuler whose token patterns run only on Docs that contain their key word.

Why: ``kg_entity_ruler``'s structural cue patterns ("... Regulation No. 31", "Ministry of X",
"<Capitalised words> Association") begin with ``IS_TITLE``/regex tokens repeated ``*``, so spaCy's
token Matcher keeps states open at almost every token of a passage for each of its ~450 patterns:
that one Matcher cost about a third of the statistical model's time (issue 11). Each of these
patterns also needs one exact word ("Regulation", "Ministry", "Association"); a pattern cannot
match a Doc without that word, so the patterns are grouped by it, one Matcher per word, and a
Doc runs only the groups whose word it contains (patterns without such a word always run).

The entities are exactly the spaCy ruler's: a pattern's matches do not depend on the other
patterns of its Matcher, so the groups together find the same set of matches. The ruler keeps
the longest, leftmost match; when two labels match the very same span the one it keeps depends
on the order of its set of matches, so for such a Doc (rare) :meth:`match` is spaCy's own.
"""
from __future__ import annotations

import warnings

from spacy.matcher import Matcher
from spacy.pipeline import EntityRuler


def key_word(pattern: list[dict]) -> str | None:
    """A word every match of ``pattern`` contains: a token of exactly one ``TEXT``/``ORTH``
    string that is not optional (None when the pattern has no such token)."""
    for token in pattern:
        if set(token) - {"TEXT", "ORTH", "OP"} or token.get("OP") not in (None, "+"):
            continue
        word = token.get("TEXT", token.get("ORTH"))
        if isinstance(word, str):
            return word
    return None


class GatedEntityRuler(EntityRuler):
    """:class:`spacy.pipeline.EntityRuler` with its token patterns grouped by key word (see the
    module docstring). Patterns are added, removed and saved as with the spaCy ruler."""

    _groups: list[tuple[str | None, Matcher]] | None = None

    def add_patterns(self, patterns) -> None:
        self._groups = None
        super().add_patterns(patterns)

    def remove(self, ent_id: str) -> None:
        self._groups = None
        super().remove(ent_id)

    def clear(self) -> None:
        self._groups = None
        super().clear()

    def _grouped(self) -> list[tuple[str | None, Matcher]]:
        if self._groups is None:
            matchers: dict[str | None, Matcher] = {}
            for label, patterns in self.token_patterns.items():
                for pattern in patterns:
                    word = key_word(pattern)
                    if word not in matchers:
                        matchers[word] = Matcher(self.nlp.vocab, validate=self._validate,
                                                 fuzzy_compare=self.matcher_fuzzy_compare)
                    matchers[word].add(label, [pattern])
            self._groups = list(matchers.items())
        return self._groups

    def match(self, doc):
        self._require_patterns()
        words = {t.text for t in doc}
        matches = []
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")
            for word, matcher in self._grouped():
                if word is None or word in words:
                    matches.extend(matcher(doc))
            matches.extend(self.phrase_matcher(doc))
        final = {(m_id, start, end) for m_id, start, end in matches if start != end}
        if len({(start, end) for _, start, end in final}) < len(final):
            return super().match(doc)  # two labels on one span: keep spaCy's order between them
        return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)
