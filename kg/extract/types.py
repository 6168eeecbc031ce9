"""Plain data that leaves the extract stage (one :class:`ArticleExtraction` per article)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kg.ingest.article import Article


@dataclass(frozen=True)
class Mention:
    """An entity mention: a clean name, its class, and where it was seen."""

    name: str  # cleaned surface form ("TikTok Shop", not "TikTok Shop's")
    cls: str  # ontology class local name (Company, Platform, Person, ...)
    passage: int  # index into Article.passages; -1 for the title
    start: int  # character offsets in the passage text
    end: int
    ref: str | None = None  # reference-data id when matched by the curated list
    origin: str = "model"  # reference | cue | model | title
    aliases: tuple[str, ...] = ()  # other names the text gives it ("KPPU" for the commission)
    features: tuple[str, ...] = field(default=(), compare=False, hash=False)  # the typer's, for training


@dataclass(frozen=True)
class Evidence:
    passage: int
    start: int  # sentence span in the passage text
    end: int
    text: str


@dataclass
class Fact:
    subject: Mention
    predicate: str  # local name of a pkg: predicate
    object: Mention
    evidence: Evidence
    rule: str
    confidence: float
    modality: str = "asserted"
    qualifiers: dict[str, object] = field(default_factory=dict)  # role, stakePercent, amount, currency, date


@dataclass
class Figure:
    entity: Mention
    metric_type: str
    value: Decimal
    unit: str  # ISO currency, percent, count, ratio
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD ("" when unknown)
    evidence: Evidence
    rule: str
    confidence: float
    modality: str = "asserted"


@dataclass(frozen=True)
class CandidateRecord:
    """A (subject, predicate, object) the sentence could state, with the classifier's features."""

    subject: Mention
    predicate: str
    object: Mention
    evidence: Evidence
    features: tuple[str, ...]
    qualifiers: dict = field(default_factory=dict, hash=False, compare=False)
    modality: str = "asserted"  # planned / negated / reported when the linking words are hedged
    # the entity keys of the first conjunct each slot is coordinated with ("Kenya and Morocco": Morocco's
    # is Kenya), "" when none: a coordination distributes a relation over its conjuncts (classify)
    conjuncts: tuple[str, str] = ("", "")


@dataclass
class ArticleExtraction:
    article: Article
    mentions: list[Mention] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    candidates: list[CandidateRecord] = field(default_factory=list)
