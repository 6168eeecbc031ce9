"""Generate a synthetic graph of about N triples with our own RDF layer (kg.rdf.mapping).

Each batch of articles goes through ``kg.rdf.mapping.to_graph`` exactly like a real build and is
streamed out as N-Triples, so memory stays flat.

    python benchmarks/make_synthetic.py --triples 1000000 -o /tmp/synthetic.nt

**Degree distribution (why it looks like news).** A business-news corpus has a heavy tail: a few
companies (Alibaba, Tencent...) turn up in many articles, most turn up in one or two. But even the
biggest is in a minority of articles, and an article is *about* a handful of entities: its facts
connect the same few actors. So:

* entity popularity is Zipf-Mandelbrot, ``w(k) = 1 / (k + 5)``, for organisations, people,
  products, regulators, laws and places alike (``q = 5`` flattens the head: rank 1 is about 3 %
  of the organisation draws, not 30 %);
* each article draws a *cast* of 3-8 distinct organisations (by popularity) plus a few people,
  products, regulators, laws and countries, and its ~12 facts and ~3 figures are drawn among that
  cast. The most popular organisation is in roughly 10-15 % of the articles; the median one in
  one or two. The script prints these figures so that a benchmark run shows the shape it used.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import random
import time
from collections import Counter
from decimal import Decimal

from kg.extract.types import ArticleExtraction, Evidence, Fact, Figure, Mention
from kg.ingest.article import Article, Passage
from kg.rdf.mapping import to_graph
from kg.rdf.namespace import METRIC_TYPES
from kg.resolve.entities import Entity, Resolution, match_key

ORG_CLASSES = ("Company", "Platform", "Platform", "Company", "Association", "MediaOutlet")
RELS = [("worksFor", "Person", "ORG"), ("partnerOf", "ORG", "ORG"), ("competesWith", "ORG", "ORG"),
        ("acquiredStakeIn", "ORG", "ORG"), ("subsidiaryOf", "ORG", "ORG"), ("regulates", "GOV", "ORG"),
        ("launched", "ORG", "Product"), ("operatesIn", "ORG", "Country"), ("issued", "GOV", "Law"),
        ("appliesTo", "Law", "ORG")]
MODALITIES = ["asserted"] * 8 + ["planned", "reported"]
ZIPF_Q = 5.0  # Zipf-Mandelbrot offset: w(k) = 1 / (k + q)
# how many distinct entities of each kind an article's facts are drawn from
CAST = {"ORG": (3, 8), "Person": (1, 3), "GOV": (1, 2), "Product": (1, 3), "Country": (1, 2), "Law": (1, 2)}


class Pool:
    """Entities of one kind with Zipf-Mandelbrot popularity (rank 1 = the first entity)."""

    def __init__(self, specs):
        self.specs = specs
        self.cum = list(itertools.accumulate(1.0 / (k + ZIPF_Q) for k in range(1, len(specs) + 1)))

    def draw(self, rng, n):
        """``n`` distinct entities, by popularity."""
        out, seen = [], set()
        n = min(n, len(self.specs))
        while len(out) < n:
            i = bisect.bisect_left(self.cum, rng.random() * self.cum[-1])
            if i not in seen:
                seen.add(i)
                out.append(self.specs[i])
        return out


def make_entities(rng, n_org):
    pools = {"ORG": [], "Person": [], "GOV": [], "Product": [], "Country": [], "Law": []}
    for i in range(n_org):
        pools["ORG"].append((f"Org {i}", rng.choice(ORG_CLASSES), "ORG"))
    for i in range(n_org // 2):
        pools["Person"].append((f"Person {i}", "Person", "PERSON"))
        pools["Product"].append((f"Product {i}", "Product", "PRODUCT"))
    for i in range(max(20, n_org // 20)):
        pools["GOV"].append((f"Regulator {i}", "GovernmentBody", "GOV"))
        pools["Law"].append((f"Rule {i}", "Law", "LAW"))
    for i in range(60):
        pools["Country"].append((f"Country {i}", "Country", "PLACE"))
    return {k: Pool(v) for k, v in pools.items()}


def batch(rng, pools, first_id, n_articles, facts_per_article, stats: Counter):
    exts, entities, mention_entity = [], {}, {}
    for k in range(n_articles):
        aid = f"syn{first_id + k:07d}"
        year = rng.randint(2019, 2025)
        art = Article(id=aid, title=f"Synthetic article {first_id + k}", source=rng.choice(["Wire A", "Wire B"]),
                      date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", path="synthetic.txt",
                      line=first_id + k + 1, passages=[Passage(text="x" * 200)])
        ex = ArticleExtraction(article=art)
        cast = {kind: pools[kind].draw(rng, rng.randint(*CAST[kind])) for kind in pools}
        orgs_here = set()

        def mention(spec):
            name, cls, coarse = spec
            m = Mention(name=name, cls=cls, passage=0, start=0, end=len(name))
            eid = f"{coarse}/{match_key(name, coarse)}"
            ent = entities.get(eid)
            if ent is None:
                ent = entities[eid] = Entity(key=match_key(name, coarse), coarse=coarse, cls=cls, label=name)
                ent.names = Counter({name: 2, name.upper(): 1})
            mention_entity[(aid, m)] = eid
            if m not in ex.mentions:
                ex.mentions.append(m)
            if coarse == "ORG":
                orgs_here.add(name)
            return m

        for _ in range(facts_per_article):
            pred, sk, ok = rng.choice(RELS)
            if sk == ok:  # ORG -> ORG: two different members of the cast
                a, b = rng.sample(cast[sk], 2)
            else:
                a, b = rng.choice(cast[sk]), rng.choice(cast[ok])
            s, o = mention(a), mention(b)
            ev = Evidence(0, 0, 10, f"Sentence {rng.randrange(10**6)} says {s.name} {pred} {o.name}.")
            quals = {}
            if pred == "worksFor":
                quals["role"] = rng.choice(["CEO", "COO", "founder", "CFO"])
            if pred == "acquiredStakeIn":
                quals = {"stakePercent": rng.randint(1, 100), "amount": rng.randint(1, 900) * 10**6,
                         "currency": "USD", "date": str(year)}
            ex.facts.append(Fact(s, pred, o, ev, "synthetic", round(rng.uniform(0.5, 0.95), 2),
                                 rng.choice(MODALITIES), quals))
        for _ in range(max(1, facts_per_article // 4)):
            e = mention(rng.choice(cast["ORG"]))
            ex.figures.append(Figure(e, rng.choice(METRIC_TYPES[:-1]), Decimal(rng.randint(1, 10**6) * 1000),
                                     "USD", str(year), Evidence(0, 0, 10, f"{e.name} reported a figure."),
                                     "synthetic", 0.8))
        stats.update(orgs_here)
        exts.append(ex)
    for ent in entities.values():
        ent.articles = set()
    return Resolution(entities=entities, mention_entity=mention_entity, extractions=exts)


def shape(stats: Counter, n_articles: int) -> str:
    """One line on the organisation degree distribution (articles per organisation)."""
    counts = sorted(stats.values(), reverse=True)
    if not counts:
        return ""
    med = counts[len(counts) // 2]
    return (f"organisations: {len(counts)} mentioned; articles per organisation: top {counts[0]} "
            f"({100 * counts[0] / n_articles:.0f} % of articles), 10th {counts[min(9, len(counts) - 1)]}, "
            f"100th {counts[min(99, len(counts) - 1)]}, median {med}")


def generate(triples: int, output: str, seed: int = 7) -> tuple[int, int, str]:
    """Write about ``triples`` N-Triples lines to ``output``: (lines, articles, shape line)."""
    rng = random.Random(seed)
    # ~ 12 facts + 3 figures per article ~ 190 triples per article
    n_articles_est = max(1, triples // 190)
    pools = make_entities(rng, max(200, n_articles_est // 2))
    stats: Counter = Counter()
    written, first = 0, 0
    with open(output, "w", encoding="utf-8") as out:
        while written < triples:
            g = to_graph(batch(rng, pools, first, 100, 12, stats))
            text = g.serialize(format="nt")
            out.write(text)
            written += text.count("\n")
            first += 100
    return written, first, shape(stats, first)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("-o", "--output", default="/tmp/synthetic.nt")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    t0 = time.perf_counter()
    written, articles, line = generate(args.triples, args.output, args.seed)
    print(f"{args.output}: ~{written} triple lines, {articles} articles, {time.perf_counter() - t0:.0f} s")
    print(line)


if __name__ == "__main__":
    main()
