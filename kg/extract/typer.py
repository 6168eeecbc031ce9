"""A trained entity typer: the coarse class of each mention (or "not an entity") from its context.

The statistical NER of a small English model guesses types from the name alone and often calls a
Chinese or Indonesian company a person, a central bank an organisation, a product a company. The
guidelines type by what the text says ("the ministry", "rival X", "X-based", "shareholders X",
"the app X"), so this component reads the mention's words, its neighbours, its syntactic slot
(the verb or noun it hangs from) and descriptors around it, and a multinomial logistic model
trained on the annotated articles (``kg train``) decides. Curated reference names are never
re-typed. Without a model file the component only records the features (for training).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError
from kg.extract.entities import EntMention
from kg.vocab import CLASS_COARSE

MODEL_FORMAT = "platform-kg entity typer 1"
DEFAULT_MODEL = Path(__file__).resolve().parent / "models" / "entity_types.json"
NONE = "NONE"
DROP_FOUND = 0.85  # P(not an entity) at which a mention the NER or a cue found is dropped
# the class a mention gets when the typer moves it to another coarse type
DEFAULT_CLASS = {"ORG": "Organization", "GOV": "GovernmentBody", "PERSON": "Person", "PLACE": "Place",
                 "PRODUCT": "Product", "LAW": "Law"}
_DIGIT = re.compile(r"\d")


def _shape(text: str) -> str:
    s = re.sub(r"[A-Z]+", "X", text)
    s = re.sub(r"[a-z]+", "x", s)
    return re.sub(r"\d+", "d", s)[:12]


def mention_features(doc: Doc, m: EntMention, role_words: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The typer's features of one mention. ``role_words`` (the roles lexicon's titles) mark a name
    next to a title ("COO Conan", "its COO, Conan", "Conan, the chief executive"), whatever the title."""
    span = doc[m.start:m.end]
    words = [t.lower_ for t in span]
    f = [f"cls={m.cls}", f"coarse={CLASS_COARSE.get(m.cls, '?')}", f"origin={m.origin}",
         f"ntok={min(len(words), 5)}", f"shape={_shape(span.text)}", f"last={words[-1]}", f"first={words[0]}",
         f"suf3={words[-1][-3:]}"]
    f.extend(f"w={w}" for w in words)
    if _DIGIT.search(span.text):
        f.append("digit")
    if span.text.isupper():
        f.append("allcaps")
    ner = {t.ent_type_ for t in span if t.ent_type_}
    f.extend(f"ner={x}" for x in sorted(ner))
    for t in doc[max(0, m.start - 2):m.start]:
        f.append(f"prev={t.lemma_.lower()}")
    if m.start > 0:
        f.append(f"prev1={doc[m.start - 1].lemma_.lower()}")
    for t in doc[m.end:m.end + 2]:
        f.append(f"next={t.lemma_.lower()}")
    if m.end < len(doc):
        f.append(f"next1={doc[m.end].lemma_.lower()}")
    k = m.end + (m.end < len(doc) and doc[m.end].text == ",")
    if k < len(doc) and doc[k].lower_ in ("who", "whose"):
        f.append("rel=who")  # ", who has been with the company for 15 years" reads a person
    prev = [t.lower_ for t in doc[max(0, m.start - 4):m.start] if not t.is_punct]
    if any(" ".join(prev[i:]) in role_words for i in range(len(prev))):
        f.append("after_role")
    root = span.root
    if (root.dep_ == "appos" and root.head.lower_ in role_words) or any(
            c.dep_ == "appos" and c.lower_ in role_words for c in root.children):
        f.append("appos_role")
    f.append(f"dep={root.dep_}")
    if root.head.i != root.i and not (m.start <= root.head.i < m.end):
        f.append(f"head={root.head.lemma_.lower()}")
        f.append(f"head_dep={root.dep_}|{root.head.lemma_.lower()}")
        if root.head.dep_ == "prep" or root.dep_ == "pobj":
            f.append(f"prep_head={root.head.lower_}|{root.head.head.lemma_.lower()}")
    for c in root.children:
        if not (m.start <= c.i < m.end) and c.dep_ in ("compound", "amod", "appos", "nmod", "det", "poss"):
            f.append(f"mod={c.dep_}|{c.lemma_.lower()}")
    if root.dep_ == "appos":
        f.append(f"appos_head={root.head.lemma_.lower()}")
    return f


@dataclass
class TyperModel:
    classes: list[str]
    bias: list[float]
    weights: dict[str, list[float]]
    threshold: float = 0.5
    meta: dict | None = None

    def probabilities(self, features) -> dict[str, float]:
        z = list(self.bias)
        for f in set(features):
            w = self.weights.get(f)
            if w is not None:
                for i, x in enumerate(w):
                    z[i] += x
        top = max(z)
        e = [math.exp(x - top) for x in z]
        s = sum(e)
        return {c: v / s for c, v in zip(self.classes, e)}

    @classmethod
    def from_dict(cls, data: dict, where: str = "entity typer") -> "TyperModel":
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ModelError(f"{where}: not a platform-kg entity typer (format {MODEL_FORMAT!r} expected); "
                             f"retrain it with `kg train`")
        try:
            return cls(list(data["classes"]), [float(x) for x in data["bias"]],
                       {k: [float(x) for x in v] for k, v in data["weights"].items()},
                       float(data.get("threshold", 0.5)), data.get("meta"))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ModelError(f"{where}: malformed entity typer ({e}); retrain it with `kg train`") from None

    def to_dict(self) -> dict:
        return {"format": MODEL_FORMAT, "threshold": self.threshold, "meta": self.meta or {},
                "classes": self.classes, "bias": [round(x, 6) for x in self.bias],
                "weights": {k: [round(x, 5) for x in v] for k, v in sorted(self.weights.items())}}


def load_typer(path: str | Path | None = None) -> TyperModel | None:
    from kg.extract.classifier import read_model_file

    data, p = read_model_file(path, "KG_TYPER_MODEL", DEFAULT_MODEL, "entity typer")
    return None if data is None else TyperModel.from_dict(data, str(p))


@Language.factory("kg_entity_typer", default_config={"model_path": None, "ontology_dir": None},
                  requires=["doc._.kg_ents"],
                  assigns=["doc._.kg_ents"])
def make_typer(nlp: Language, name: str, model_path: str | None, ontology_dir: str | None):
    from kg.extract.reference import load_reference

    ref = load_reference(ontology_dir)
    return EntityTypeClassifier(load_typer(model_path), {w.lower() for w in ref.lexicon("roles")["titles"]},
                                set(ref.lexicon("entity_cues")["not_entities"]))


class EntityTypeClassifier:
    """Re-types (or drops) the non-reference mentions of ``doc._.kg_ents`` by the trained model.
    ``collect = True`` keeps each mention's features on it (``EntMention.features``) for training."""

    def __init__(self, model: TyperModel | None, role_words: set[str] = frozenset(),
                 not_entities: set[str] = frozenset()):
        self.model = model
        self.collect = False
        self.role_words = role_words
        self.not_entities = not_entities  # "GMV", "IPO": never proposed as names

    def __call__(self, doc: Doc) -> Doc:
        ents = doc._.kg_ents or []
        if self.model is None and not self.collect:
            return doc
        self._repair_starts(doc, ents)
        keep = []
        runs = [m for m in unnamed_runs(doc, ents) if m.name not in self.not_entities]
        for m in ents + runs:
            feats = mention_features(doc, m, self.role_words)
            if self.collect:
                m.features = tuple(feats)
            if self.model is None:
                if m.origin != "propn":
                    keep.append(m)
                elif self.collect:
                    keep.append(m)
                continue
            if m.origin == "reference":
                keep.append(m)
                continue
            probs = self.model.probabilities(feats)
            best = max(probs, key=probs.get)
            sure = probs[best] >= self.model.threshold
            if best == NONE:
                # a name another component found is dropped only when the typer is very sure
                if m.origin == "propn" or probs[best] >= DROP_FOUND:
                    continue
            elif m.origin == "propn":
                if not sure:
                    continue
                m.cls = DEFAULT_CLASS[best]
            elif best != CLASS_COARSE.get(m.cls) and sure:
                m.cls = DEFAULT_CLASS[best]
            keep.append(m)
        doc._.kg_ents = sorted(keep, key=lambda m: m.start)
        return doc


    def _repair_starts(self, doc: Doc, ents: list[EntMention]) -> None:
        """A name the model cut after its first word ("Ana" + "Souza"): the capitalised proper nouns
        right before a mention the model or a cue found belong to it (never a role title)."""
        taken = {i for m in ents for i in range(m.start, m.end)}
        for m in ents:
            if m.origin == "reference" or m.ref:
                continue
            start = m.start
            while start > 0 and (t := doc[start - 1]).i not in taken and t.pos_ == "PROPN" and t.is_title \
                    and not t.ent_type_ and t.lower_ not in self.role_words:
                start -= 1
            if start < m.start:
                m.start, m.name = start, doc[start:m.end].text


def unnamed_runs(doc: Doc, ents: list[EntMention]) -> list[EntMention]:
    """Runs of proper nouns no other component named ("Jumia", "Konga" when the small model misses
    them): candidates the typer keeps only when it is sure they are entities."""
    taken = {i for m in ents for i in range(m.start, m.end)}
    aliases = {a for m in ents for a in m.aliases}  # "(PCC)" after the name it abbreviates
    out = []
    i = 0
    while i < len(doc):
        t = doc[i]
        if i in taken or t.pos_ != "PROPN" or not t.text[:1].isupper() or t.ent_type_ in _NOT_NAMES:
            i += 1
            continue
        j = i + 1
        while j < len(doc) and j not in taken and (doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper()
                                                    and doc[j].ent_type_ not in _NOT_NAMES or doc[j].text == "&"):
            j += 1
        while j > i + 1 and doc[j - 1].text == "&":
            j -= 1
        if doc[i:j].text not in aliases:
            out.append(EntMention(i, j, "Organization", origin="propn", name=doc[i:j].text))
        i = j
    return out


_NOT_NAMES = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"}
