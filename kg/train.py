"""Training the relation classifier from annotated articles (``kg train``).

A training folder holds ``articles.txt`` (any input format ``kg build`` reads) and ``gold.json``
(the schema of ``docs/data-model.md``, following the annotation guidelines). The pipeline runs once
over every article and forms its candidates (:mod:`kg.extract.candidates`); a candidate is a
positive example of its predicate when the gold of its article records that triple between the
gold entities its two mentions name. One L2-regularised logistic regression per predicate
(scikit-learn, ``pip install platform-kg[train]``) is fitted; grouped cross-validation (folds by
article, never splitting one article) gives out-of-fold scores for the Platt calibration and the
figures ``kg train`` prints: the same graph-level scores as ``kg eval`` on the held-out articles.
The result is a plain JSON file (:class:`kg.extract.classifier.RelationModel`).
"""
from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.extract.candidates import SIGNATURE, SYMMETRIC
from kg.extract.classifier import PredicateModel, RelationModel
from kg.extract.types import ArticleExtraction

DEFAULT_C = 0.3
MIN_FEATURE_COUNT = 2


@dataclass
class Corpus:
    """Annotated articles: their extractions (candidates included) and gold, per article id."""

    extractions: list[ArticleExtraction] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)  # slice-qualified, parallel to extractions
    gold: dict = field(default_factory=lambda: {"entities": [], "relations": [], "metrics": []})
    gold_names: dict[str, dict[str, str]] = field(default_factory=dict)  # slice -> norm(alias) -> gold name


def _gold_article_ids(gold: dict, articles, folder: Path) -> list[str]:
    by_title = defaultdict(list)
    for g in gold.get("articles", []):
        by_title[" ".join(g["title"].split())].append(g["id"])
    out = []
    for i, a in enumerate(articles):
        ids = by_title.get(" ".join(a.title.split()))
        if ids:
            out.append(ids.pop(0))
        elif i < len(gold.get("articles", [])):
            out.append(gold["articles"][i]["id"])
        else:
            raise KGError(f"{folder}/gold.json: no gold article for {a.location} ({a.title[:40]!r}); "
                          f"list every article of articles.txt under 'articles'")
    return out


def read_corpus(folders: list[str | Path], nlp, typer=None, progress=None) -> Corpus:
    """Extract every article of the folders with the given entity typer (None: the statistical
    types, with the typer's features kept on each mention for training it)."""
    from kg.eval import load_gold
    from kg.extract.pipeline import extract_articles
    from kg.ingest import read_inputs
    from kg.resolve.entities import norm

    corpus = Corpus()
    for folder in map(Path, folders):
        gold_path = folder / "gold.json"
        if not gold_path.is_file():
            raise KGError(f"{folder}: no gold.json; a training folder holds articles.txt and gold.json")
        gold = load_gold(gold_path)
        inputs = [p for p in sorted(folder.iterdir()) if p.name != "gold.json" and p.suffix in (".txt", ".jsonl", ".md")]
        articles, report = read_inputs([str(p) for p in inputs])
        if report.errors:
            raise KGError(report.errors[0])
        ids = _gold_article_ids(gold, articles, folder)
        slice_ = folder.name
        errors: list[str] = []
        component = nlp.get_pipe("kg_entity_typer")
        saved = component.model, component.collect
        component.model, component.collect = typer, typer is None
        try:
            exs = extract_articles(nlp, articles, errors=errors, model=False)
        finally:
            component.model, component.collect = saved
        done = {id(ex.article): ex for ex in exs}
        for a, aid in zip(articles, ids):
            if id(a) in done:
                corpus.extractions.append(done[id(a)])
                corpus.article_ids.append(f"{slice_}/{aid}")
        names = corpus.gold_names.setdefault(slice_, {})
        for e in gold["entities"]:
            for nm in (e["name"], *e.get("aliases", [])):
                names.setdefault(norm(nm), e["name"])
            corpus.gold["entities"].append({**e, "slice": slice_})
        for r in gold["relations"]:
            corpus.gold["relations"].append({**r, "article": f"{slice_}/{r['article']}"})
        for m in gold["metrics"]:
            corpus.gold["metrics"].append({**m, "article": f"{slice_}/{m['article']}"})
        if progress:
            progress(f"{folder}: {len(exs)} articles, {sum(len(x.candidates) for x in exs)} candidates")
    return corpus


def label(corpus: Corpus) -> list[list[tuple[str, tuple[str, ...], int]]]:
    """Per article: (predicate, features, 0/1) for each candidate."""
    facts = defaultdict(set)
    for r in corpus.gold["relations"]:
        facts[r["article"]].add((r["s"], r["p"], r["o"]))
        if r["p"] in SYMMETRIC:
            facts[r["article"]].add((r["o"], r["p"], r["s"]))
    out = []
    for ex, aid in zip(corpus.extractions, corpus.article_ids):
        gold_name = gold_namer(corpus, aid)
        rows = []
        for c in ex.candidates:
            s, o = gold_name(c.subject), gold_name(c.object)
            y = int(s is not None and o is not None and (s, c.predicate, o) in facts[aid])
            rows.append((c.predicate, c.features, y))
        out.append(rows)
    return out


def fit(rows_by_article: dict, articles: list[str], c: float = DEFAULT_C, seed: int = 0) -> dict[str, PredicateModel]:
    """One logistic regression per predicate on the given articles' candidates."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    models = {}
    for pred in SIGNATURE:
        feats, ys = [], []
        for ai in articles:
            for p, f, y in rows_by_article.get(ai, ()):
                if p == pred:
                    feats.append(f)
                    ys.append(y)
        if sum(ys) < 2 or sum(ys) == len(ys):
            models[pred] = PredicateModel(bias=-10.0, weights={})
            continue
        counts = Counter(x for f in feats for x in f)
        keep = {x for x, n in counts.items() if n >= MIN_FEATURE_COUNT}
        vec = DictVectorizer()
        X = vec.fit_transform([{x: 1 for x in f if x in keep} for f in feats]).tocsr()
        X.indices = X.indices.astype("int32")  # liblinear takes 32-bit sparse indices only
        X.indptr = X.indptr.astype("int32")
        clf = LogisticRegression(C=c, solver="liblinear", random_state=seed, max_iter=1000)
        clf.fit(X, ys)
        weights = {name: float(w) for name, w in zip(vec.feature_names_, clf.coef_[0]) if abs(w) > 1e-4}
        models[pred] = PredicateModel(bias=float(clf.intercept_[0]), weights=weights)
    return models


def rule_precisions(rows_by_article: dict, articles: list[str]) -> dict[str, dict[str, tuple[int, float]]]:
    """How often each rule's asserted firings were gold facts: (firings, (hits + 1) / (firings + 2))."""
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for ai in articles:
        for p, f, y in rows_by_article.get(ai, ()):
            if "rule_mod=asserted" not in f:
                continue
            for x in f:
                if x.startswith("rule="):
                    counts[(p, x[5:])][0] += 1
                    counts[(p, x[5:])][1] += y
    out: dict[str, dict[str, tuple[int, float]]] = defaultdict(dict)
    for (p, rule), (n, k) in sorted(counts.items()):
        out[p][rule] = (n, (k + 1) / (n + 2))
    return dict(out)


def folds(n_articles: int, k: int, seed: int = 0) -> list[list[int]]:
    order = list(range(n_articles))
    random.Random(seed).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def platt(scores: list[float], ys: list[int]) -> tuple[float, float]:
    """Platt scaling (a, b) of raw scores to probabilities, fitted on out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression

    if len(set(ys)) < 2:
        return (1.0, 0.0)
    clf = LogisticRegression(C=100.0, solver="lbfgs")
    clf.fit([[s] for s in scores], ys)
    return (float(clf.coef_[0][0]), float(clf.intercept_[0]))


def gold_subset(corpus: Corpus, articles: list[int]) -> dict:
    """The gold of some articles: their relations and metrics, and the entities their texts name."""
    from kg.resolve.entities import norm

    ids = {corpus.article_ids[i] for i in articles}
    texts = defaultdict(str)
    for i in articles:
        a = corpus.extractions[i].article
        texts[corpus.article_ids[i].split("/")[0]] += "\n" + norm(a.title + "\n" + a.text)
    ents = [e for e in corpus.gold["entities"] if e["slice"] in texts and any(
        norm(nm) and norm(nm) in texts[e["slice"]] for nm in (e["name"], *e.get("aliases", [])))]
    return {"entities": ents,
            "relations": [r for r in corpus.gold["relations"] if r["article"] in ids],
            "metrics": [m for m in corpus.gold["metrics"] if m["article"] in ids]}


def score_articles(corpus: Corpus, articles: list[int], model: RelationModel | None, reference):
    """Graph-level scores (as ``kg eval``) of the given articles extracted with ``model``."""
    from dataclasses import replace

    from kg.eval import score_graph
    from kg.extract.classifier import classify
    from kg.rdf.mapping import to_graph
    from kg.resolve.entities import resolve

    exs = []
    for i in articles:
        ex = corpus.extractions[i]
        if model is not None:
            ex = replace(ex, facts=classify(ex.candidates, model, ex.facts))
        exs.append(ex)
    graph = to_graph(resolve(exs, reference))
    return score_graph(graph, gold_subset(corpus, articles))


@dataclass
class TrainResult:
    model: RelationModel
    typer: object  # kg.extract.typer.TyperModel
    cv: dict  # name -> (tp, fp, fn) over the held-out folds' graphs
    calibration: list  # (bin low, bin high, n, mean predicted, observed precision) of held-out candidates
    typer_accuracy: tuple[float, float]  # held-out mention types: (trained typer, statistical model)
    seconds: float


def train(folders: list[str | Path], nlp, *, k: int = 5, c: float = DEFAULT_C, typer_c: float = 1.0,
          seed: int = 0, threshold: float = 0.5, progress=None) -> TrainResult:
    """Grouped k-fold cross-validation of the whole extractor, then the final models on everything.

    Each fold trains the entity typer on the other folds' articles, extracts the corpus with it,
    trains the relation classifier on the other folds' candidates and scores the held-out
    articles' graph; the Platt calibration is fitted on the held-out scores of all folds."""
    from kg.extract.reference import load_reference

    t0 = time.perf_counter()
    say = progress or (lambda msg: None)
    reference = load_reference()
    say("reading the corpus (statistical entity types)")
    base = read_corpus(folders, nlp, None)
    mention_rows = label_mentions(base)
    ids = list(base.article_ids)
    fold_ids = [[ids[i] for i in f] for f in folds(len(ids), k, seed)]
    oof: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    typed_ok = base_ok = n_mentions = 0
    per_fold = []
    for fi, test in enumerate(fold_ids):
        held = set(test)
        train_ids = [a for a in ids if a not in held]
        typer = fit_typer(mention_rows, train_ids, typer_c, seed)
        for aid in test:
            for f, y in mention_rows.get(aid, ()):
                probs = typer.probabilities(f)
                typed_ok += max(probs, key=probs.get) == y
                base_ok += next(x[7:] for x in f if x.startswith("coarse=")) == y
                n_mentions += 1
        corpus = read_corpus(folders, nlp, typer)
        rows = dict(zip(corpus.article_ids, label(corpus)))
        models = fit(rows, train_ids, c, seed)
        for aid in test:
            for p, f, y in rows.get(aid, ()):
                oof[p][0].append(models[p].score(f))
                oof[p][1].append(y)
        per_fold.append((corpus, rows, test, models, rule_precisions(rows, train_ids)))
        say(f"fold {fi + 1}/{k}: trained on {len(train_ids)} articles, held out {len(test)}")
    calib = {p: platt(*oof[p]) for p in SIGNATURE}
    cv_scores = []
    bins = defaultdict(lambda: [0, 0.0, 0])
    for corpus, rows, test, models, rules in per_fold:
        for p, m in models.items():
            m.calibration = calib[p]
        fold_model = RelationModel(models, threshold, rules=rules)
        index = {a: i for i, a in enumerate(corpus.article_ids)}
        cv_scores.append(score_articles(corpus, [index[a] for a in test if a in index], fold_model, reference))
        for aid in test:
            for p, f, y in rows.get(aid, ()):
                pr = fold_model.probability(p, f)
                if pr >= 0.1:
                    b = bins[min(int(pr * 10), 9)]
                    b[0] += 1
                    b[1] += pr
                    b[2] += y
    say("training the final models on every article")
    typer = fit_typer(mention_rows, ids, typer_c, seed)
    corpus = read_corpus(folders, nlp, typer)
    rows = dict(zip(corpus.article_ids, label(corpus)))
    final = fit(rows, ids, c, seed)
    for p, m in final.items():
        m.calibration = calib[p]
    meta = {"trained_on": sorted({a.split("/")[0] for a in ids}), "articles": len(ids),
            "candidates": sum(len(r) for r in rows.values()),
            "positives": sum(y for r in rows.values() for _, _, y in r), "C": c, "folds": k, "seed": seed}
    typer.meta = {"trained_on": meta["trained_on"], "articles": len(ids), "mentions": n_mentions, "C": typer_c,
                  "seed": seed}
    calibration = [(b / 10, (b + 1) / 10, v[0], v[1] / v[0], v[2] / v[0]) for b, v in sorted(bins.items()) if v[0]]
    acc = (typed_ok / n_mentions if n_mentions else 0.0, base_ok / n_mentions if n_mentions else 0.0)
    return TrainResult(RelationModel(final, threshold, meta, rule_precisions(rows, ids)), typer, sum_scores(cv_scores), calibration, acc,
                       time.perf_counter() - t0)


def sum_scores(scores: list) -> dict:
    """Micro-averaged PRF counts over folds: {'entities': (tp, fp, fn), 'relations': ..., per predicate}."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for s in scores:
        for name, prf in (("entities", s.entities), ("entities_untyped", s.entities_untyped),
                          ("relations", s.relations), ("metrics", s.metrics)):
            out[name][0] += prf.tp
            out[name][1] += prf.fp
            out[name][2] += prf.fn
        for p, prf in s.per_predicate.items():
            out[f"  {p}"][0] += prf.tp
            out[f"  {p}"][1] += prf.fp
            out[f"  {p}"][2] += prf.fn
    return dict(out)


def format_table(counts: dict) -> str:
    lines = [f"{'':24}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}"]
    order = ["entities", "entities_untyped", "relations"] + sorted(k for k in counts if k.startswith("  ")) + ["metrics"]
    for name in order:
        if name not in counts:
            continue
        tp, fp, fn = counts[name]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        label = {"entities": "entities (typed)", "entities_untyped": "entities (untyped)"}.get(name, name)
        lines.append(f"{label:24}{p:7.3f}{r:7.3f}{f:7.3f}{tp:6d}{fp:6d}{fn:6d}")
    return "\n".join(lines)


def gold_namer(corpus: Corpus, article_id: str):
    """A function from a mention to the gold entity name it names (None when none)."""
    from kg.resolve.entities import norm

    names = corpus.gold_names[article_id.split("/")[0]]

    def gold_name(m) -> str | None:
        for nm in (m.name, *m.aliases):
            g = names.get(norm(nm))
            if g:
                return g
        return None
    return gold_name


def label_mentions(corpus: Corpus) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Per article id: (typer features, gold coarse type or NONE) of each non-reference mention."""
    from kg.extract.typer import NONE

    types = {}
    for e in corpus.gold["entities"]:
        types.setdefault((e["slice"], e["name"]), e["type"])
    out = {}
    for ex, aid in zip(corpus.extractions, corpus.article_ids):
        namer = gold_namer(corpus, aid)
        rows = []
        for m in ex.mentions:
            if m.origin == "reference" or not m.features:
                continue
            g = namer(m)
            rows.append((m.features, types.get((aid.split("/")[0], g), NONE) if g else NONE))
        out[aid] = rows
    return out


def fit_typer(rows: dict, article_ids, c: float = 1.0, seed: int = 0):
    """A multinomial logistic regression over the coarse types and NONE."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    from kg.extract.typer import TyperModel

    feats, ys = [], []
    for aid in article_ids:
        for f, y in rows.get(aid, ()):
            feats.append(f)
            ys.append(y)
    counts = Counter(x for f in feats for x in f)
    keep = {x for x, n in counts.items() if n >= MIN_FEATURE_COUNT}
    vec = DictVectorizer()
    X = vec.fit_transform([{x: 1 for x in f if x in keep} for f in feats])
    clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    clf.fit(X, ys)
    classes = [str(x) for x in clf.classes_]
    weights = {}
    for j, name in enumerate(vec.feature_names_):
        col = [float(clf.coef_[i][j]) for i in range(len(classes))]
        if max(abs(x) for x in col) > 1e-3:
            weights[name] = col
    return TyperModel(classes, [float(x) for x in clf.intercept_], weights)
