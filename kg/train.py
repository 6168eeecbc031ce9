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


def read_corpus(folders: list[str | Path], nlp, progress=None) -> Corpus:
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
        exs = extract_articles(nlp, articles, errors=errors, model=False)
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
    from kg.resolve.entities import norm

    facts = defaultdict(set)
    for r in corpus.gold["relations"]:
        facts[r["article"]].add((r["s"], r["p"], r["o"]))
        if r["p"] in SYMMETRIC:
            facts[r["article"]].add((r["o"], r["p"], r["s"]))
    out = []
    for ex, aid in zip(corpus.extractions, corpus.article_ids):
        names = corpus.gold_names[aid.split("/")[0]]

        def gold_name(m):
            for nm in (m.name, *m.aliases):
                g = names.get(norm(nm))
                if g:
                    return g
            return None

        rows = []
        for c in ex.candidates:
            s, o = gold_name(c.subject), gold_name(c.object)
            y = int(s is not None and o is not None and (s, c.predicate, o) in facts[aid])
            rows.append((c.predicate, c.features, y))
        out.append(rows)
    return out


def fit(rows_by_article: list, articles: list[int], c: float = DEFAULT_C, seed: int = 0) -> dict[str, PredicateModel]:
    """One logistic regression per predicate on the given articles' candidates."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    models = {}
    for pred in SIGNATURE:
        feats, ys = [], []
        for ai in articles:
            for p, f, y in rows_by_article[ai]:
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
    cv: dict  # name -> Scores over all held-out folds' graphs, summed
    calibration: list  # (bin low, bin high, n, mean predicted, observed precision)
    seconds: float


def train(corpus: Corpus, *, k: int = 5, c: float = DEFAULT_C, seed: int = 0, threshold: float = 0.5,
          reference=None, progress=None) -> TrainResult:
    from kg.extract.reference import load_reference

    t0 = time.perf_counter()
    reference = reference or load_reference()
    rows = label(corpus)
    n = len(rows)
    oof: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    fold_models = []
    for fi, test in enumerate(folds(n, k, seed)):
        train_ids = [i for i in range(n) if i not in set(test)]
        models = fit(rows, train_ids, c, seed)
        fold_models.append((test, models))
        for i in test:
            for p, f, y in rows[i]:
                oof[p][0].append(models[p].score(f))
                oof[p][1].append(y)
        if progress:
            progress(f"fold {fi + 1}/{k} fitted")
    calib = {p: platt(*oof[p]) for p in SIGNATURE}
    # figures of the held-out folds, each scored with the model that never saw it
    cv_scores = []
    bins = defaultdict(lambda: [0, 0.0, 0])
    for test, models in fold_models:
        for p, m in models.items():
            m.calibration = calib[p]
        fm = RelationModel(models, threshold)
        cv_scores.append(score_articles(corpus, test, fm, reference))
        for i in test:
            for p, f, y in rows[i]:
                pr = models[p].probability(f)
                if pr >= 0.1:
                    b = bins[min(int(pr * 10), 9)]
                    b[0] += 1
                    b[1] += pr
                    b[2] += y
    final = fit(rows, list(range(n)), c, seed)
    for p, m in final.items():
        m.calibration = calib[p]
    meta = {"trained_on": sorted({a.split("/")[0] for a in corpus.article_ids}), "articles": n,
            "candidates": sum(len(r) for r in rows), "positives": sum(y for r in rows for _, _, y in r),
            "C": c, "folds": k, "seed": seed}
    model = RelationModel(final, threshold, meta)
    calibration = [(b / 10, (b + 1) / 10, v[0], v[1] / v[0], v[2] / v[0]) for b, v in sorted(bins.items()) if v[0]]
    return TrainResult(model, sum_scores(cv_scores), calibration, time.perf_counter() - t0)


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
