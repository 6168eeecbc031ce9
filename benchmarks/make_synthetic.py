"""Generate a synthetic graph of about N triples with our own RDF layer (kg.rdf.mapping).

Articles, entities and facts are varied (Zipf-like popularity, so some organisations are hubs);
each batch of articles goes through ``kg.rdf.mapping.to_graph`` exactly like a real build and is
streamed out as N-Triples, so memory stays flat.

    python benchmarks/make_synthetic.py --triples 1000000 -o /tmp/synthetic.nt
"""
from __future__ import annotations

import argparse
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
    return pools


def pick(rng, pool):
    # Zipf-ish: a few hubs, a long tail
    return pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1) if rng.random() < 0.5 else rng.randrange(len(pool))]


def batch(rng, pools, first_id, n_articles, facts_per_article):
    exts, entities, mention_entity = [], {}, {}
    for k in range(n_articles):
        aid = f"syn{first_id + k:07d}"
        year = rng.randint(2019, 2025)
        art = Article(id=aid, title=f"Synthetic article {first_id + k}", source=rng.choice(["Wire A", "Wire B"]),
                      date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", path="synthetic.txt",
                      line=first_id + k + 1, passages=[Passage(text="x" * 200)])
        ex = ArticleExtraction(article=art)

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
            return m

        for _ in range(facts_per_article):
            pred, sk, ok = rng.choice(RELS)
            s, o = mention(pick(rng, pools[sk])), mention(pick(rng, pools[ok]))
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
            e = mention(pick(rng, pools["ORG"]))
            ex.figures.append(Figure(e, rng.choice(METRIC_TYPES[:-1]), Decimal(rng.randint(1, 10**6) * 1000),
                                     "USD", str(year), Evidence(0, 0, 10, f"{e.name} reported a figure."),
                                     "synthetic", 0.8))
        exts.append(ex)
    for ent in entities.values():
        ent.articles = set()
    return Resolution(entities=entities, mention_entity=mention_entity, extractions=exts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("-o", "--output", default="/tmp/synthetic.nt")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    # ~ 12 facts + 3 figures per article ~ 190 triples per article
    n_articles_est = max(1, args.triples // 190)
    pools = make_entities(rng, max(200, n_articles_est // 2))
    written, first, t0 = 0, 0, time.perf_counter()
    with open(args.output, "w", encoding="utf-8") as out:
        while written < args.triples:
            g = to_graph(batch(rng, pools, first, 100, 12))
            text = g.serialize(format="nt")
            out.write(text)
            written += text.count("\n")
            first += 100
    print(f"{args.output}: ~{written} triple lines, {first} articles, {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
