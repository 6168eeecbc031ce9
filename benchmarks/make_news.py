"""Generate a news-like corpus of invented companies, people, products, regulators, laws and places.

    python benchmarks/make_news.py --articles 600 -o /tmp/news.txt

Unlike ``make_synthetic.py`` (which writes triples directly, for query and viewer benchmarks), this
writes *text* in the digest format ``kg build`` reads (title line, ``Source· YYYY-MM-DD HH:MM``
line, one body line), so it exercises the whole pipeline: the statistical model typing names it
has never seen, the cues, the relation rules, the corpus-wide type vote and resolution.

Why it looks like news: names are invented from syllables (the model cannot know them), entity
popularity is Zipf-like (a few companies in many articles, most in one or two), each article has a
small cast and 8-12 sentences drawn from several phrasings per relation, with figures, hedges and
plans mixed in. Names are deliberately ambiguous the way real ones are: a product carries its
maker's name ("Vurjo Pay"), an app is named like its company, a city like a firm. The seed makes
the output byte-identical between runs.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import random
from pathlib import Path

ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "dr", "kr", "tr", "st", "zh"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ia"]
CODAS = ["", "", "n", "r", "x", "l", "s", "m"]
ORG_SUFFIX = ["", "", "", " Group", " Holdings", " Technologies", " Tech", " Ltd", " Inc.", " Capital", " Ventures"]
PRODUCT_SUFFIX = [" Pay", " Mall", " Live", " Express", " Cloud", " Go", " Mart", " Lite", " Plus", " Shop"]
FIRST = ["Ana", "Ben", "Chen", "Dara", "Elin", "Faris", "Gita", "Hugo", "Ines", "Jun", "Kofi", "Lena", "Mika",
         "Nadia", "Omar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Wei", "Yara", "Zane", "Lin", "Arif"]
COUNTRIES = ["Indonesia", "Vietnam", "Thailand", "Malaysia", "the Philippines", "Singapore", "Brazil", "Mexico",
             "Germany", "France", "Japan", "South Korea", "India", "Kenya", "Nigeria", "Egypt", "Turkey", "Poland"]
SOURCES = ["Harbour Wire", "Tradewinds Daily", "Meridian Ledger", "Capital Post", "Asia Market Brief"]
SECTORS = ["e-commerce", "food delivery", "ride-hailing", "digital payments", "live-stream shopping", "cloud",
           "logistics", "online travel", "social media", "second-hand trading"]
ROLES = ["chief executive", "chief operating officer", "chief financial officer", "president", "founder",
         "head of e-commerce", "chairman"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)


class Pool:
    """Names of one kind, drawn by Zipf-like popularity: ``w(k) = 1 / (k + 4)``."""

    def __init__(self, names: list[str]):
        self.names = names
        self.cum = list(itertools.accumulate(1.0 / (k + 4) for k in range(1, len(names) + 1)))

    def draw(self, rng: random.Random, n: int) -> list[str]:
        out: list[str] = []
        n = min(n, len(self.names))
        while len(out) < n:
            name = self.names[bisect.bisect_left(self.cum, rng.random() * self.cum[-1])]
            if name not in out:
                out.append(name)
        return out


def invent(rng: random.Random, n_orgs: int) -> dict[str, Pool]:
    """Pools of distinct invented names: organisations, people, products, regulators, laws, cities."""
    seen: set[str] = set()

    def fresh(make) -> str:
        while True:
            name = make()
            if name not in seen and name.lower() not in {s.lower() for s in ("The", "And")}:
                seen.add(name)
                return name

    orgs = [fresh(lambda: word(rng, rng.choice([2, 2, 3])).capitalize() + rng.choice(ORG_SUFFIX)) for _ in range(n_orgs)]
    people = [fresh(lambda: f"{rng.choice(FIRST)} {word(rng, 2).capitalize()}") for _ in range(n_orgs // 2)]
    products = []
    for _ in range(n_orgs // 3):
        maker = rng.choice(orgs).split()[0]
        products.append(fresh(lambda: (maker if rng.random() < 0.5 else word(rng, 2).capitalize())
                              + rng.choice(PRODUCT_SUFFIX)))
    cities = [fresh(lambda: word(rng, rng.choice([2, 3])).capitalize()) for _ in range(max(30, n_orgs // 10))]
    regulators = [fresh(lambda: rng.choice([
        f"{c} Competition Commission", f"Ministry of Trade of {c}", f"{c} Financial Services Authority",
        f"{c} Consumer Protection Agency"])) for c in rng.sample(COUNTRIES, len(COUNTRIES))]
    laws = [fresh(lambda: rng.choice([
        f"{word(rng, 2).capitalize()} Platform Act", f"Digital Markets Rule {rng.randint(1, 99)}",
        f"Regulation No. {rng.randint(1, 80)} of {rng.randint(2019, 2025)}"])) for _ in range(max(20, n_orgs // 20))]
    return {"org": Pool(orgs), "person": Pool(people), "product": Pool(products), "city": Pool(cities),
            "country": Pool(COUNTRIES), "gov": Pool(regulators), "law": Pool(laws)}


def money(rng: random.Random) -> str:
    return rng.choice([f"${rng.randint(2, 900)} million", f"${rng.randint(1, 40)}.{rng.randint(1, 9)} billion"])


def sentences(rng: random.Random, c: dict[str, list[str]], year: int) -> list[str]:
    """One sentence per template drawn, over the article's cast ``c``."""
    a, b = c["org"][0], c["org"][1]
    o3 = c["org"][2 % len(c["org"])]
    p, prod, city, country = c["person"][0], c["product"][0], c["city"][0], c["country"][0]
    gov, law = c["gov"][0], c["law"][0]
    role, sector = rng.choice(ROLES), rng.choice(SECTORS)
    month = rng.choice(MONTHS)
    templates = [
        f"{a} has partnered with {b} to expand its {sector} business.",
        f"{a} and {b} signed a strategic cooperation agreement in {month}.",
        f"{a} announced a partnership with {o3} on {sector} services.",
        f"{a} competes with {b} and {o3} in the {sector} market.",
        f"{a} faces fierce competition from {b}.",
        f"{a} acquired a {rng.randint(5, 60)}% stake in {b} for {money(rng)}.",
        f"{a} agreed to buy {o3} for {money(rng)}.",
        f"{b}, a subsidiary of {a}, runs the group's {sector} unit.",
        f"{o3} is owned by {a}.",
        f"{p}, {role} of {a}, said the company would hire more engineers.",
        f"{a} {role} {p} told reporters that demand was strong.",
        f"{gov} fined {a} {money(rng)} for abusing its dominant position.",
        f"{gov} launched an investigation into {b}.",
        f"{a} launched {prod}, a {sector} service, in {city}.",
        f"{a} introduced {prod} for small merchants in {month} {year}.",
        f"{a} operates in {country} and {c['country'][-1]}.",
        f"{b} expanded into {country} last year.",
        f"{gov} issued the {law} in {month} {year}.",
        f"The {law} applies to {a} and other large platforms.",
        f"{a}'s revenue rose {rng.randint(3, 60)}% to {money(rng)} in {year}.",
        f"{b} said it has {rng.randint(2, 90)} million monthly active users.",
        f"{a} plans to open a regional headquarters in {city} next year.",
        f"{a} did not partner with {o3}, according to people familiar with the matter.",
        f"Analysts expect {prod} to reach {rng.randint(2, 50)} million users by {year + 1}.",
        f"{a} is valued at {money(rng)} after its latest funding round.",
        f"{city}-based {b} said orders grew faster than expected during the holiday season.",
        f"Users of the {a} app can now pay with {prod} at checkout.",
        f"Shares of {a} rose {rng.randint(1, 9)}% in early trading after the announcement.",
        f"{p} joined {b} as {role} in {year - 1}, after a decade at {o3}.",
        f"The deal still needs approval from {gov}, which has been reviewing {sector} mergers.",
        f"{b} may launch a rival service in {country} as early as next quarter, the report said.",
        f"Merchants on {o3} complained about rising commissions and slower payouts.",
        f"{a} said it expects {sector} sales in {country} to double by {year + 2}.",
        f"{prod} now has more than {rng.randint(1, 30)} million registered users.",
        f"Industry observers said {a} and {b} were likely to cut prices further.",
    ]
    return rng.sample(templates, rng.randint(14, 20))


def generate(n_articles: int, seed: int = 15) -> tuple[str, int]:
    """(digest text, number of distinct invented names used)."""
    rng = random.Random(seed)
    pools = invent(rng, max(400, n_articles * 2))
    used: set[str] = set()
    out = []
    for i in range(n_articles):
        year = rng.randint(2020, 2025)
        cast = {"org": pools["org"].draw(rng, rng.randint(3, 6)), "person": pools["person"].draw(rng, 2),
                "product": pools["product"].draw(rng, 1), "city": pools["city"].draw(rng, 1),
                "country": pools["country"].draw(rng, 2), "gov": pools["gov"].draw(rng, 1),
                "law": pools["law"].draw(rng, 1)}
        for kind, names in cast.items():
            if kind != "country":
                used.update(names)
        body = " ".join(sentences(rng, cast, year))
        title = f"{cast['org'][0]} {rng.choice(['expands', 'bets on', 'rethinks', 'doubles down on'])} {rng.choice(SECTORS)}"
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        out += [title, f"{rng.choice(SOURCES)}\u00b7 {date}", body]
    return "\n".join(out) + "\n", len(used)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=600)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("-o", "--output", default="/tmp/news.txt")
    args = ap.parse_args()
    text, names = generate(args.articles, args.seed)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"{args.output}: {args.articles} articles, {len(text.split())} words, {names} distinct invented names")


if __name__ == "__main__":
    main()
