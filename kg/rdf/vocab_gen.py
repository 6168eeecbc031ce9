"""Generate :mod:`kg.vocab` from ``ontology/platform.ttl``: the ontology is the one source of truth.

Every stage needs the vocabulary (extraction checks a fact's argument types, resolution re-checks
them with the final classes, the mapping writes the terms, validation and scoring read them), so
it lives at the bottom layer as a generated module that imports nothing of ours. Regenerate after
editing ``platform.ttl``; ``tests/rdf/test_rdf_vocab.py`` fails while the module is stale::

    python -m kg.rdf.vocab_gen            # rewrite kg/vocab.py
    python -m kg.rdf.vocab_gen --check    # exit 1 if kg/vocab.py is not current

What is read from the ontology:

* every term of the ``pkg:`` namespace -> a member of the checked namespace ``PKG``
  (rdflib ``DefinedNamespace`` with ``_fail = True``: a misspelt term is an error, not a new IRI);
* entity classes: the classes with a ``pkg:coarseType`` -> ``CLASS_COARSE`` (in file order, which
  is the order legends and summaries list them in), ``CLASS_PARENT`` (nearest ``pkg:`` superclass);
* relations: the object properties whose ``rdfs:domain`` and ``rdfs:range`` are entity classes (or an
  ``owl:unionOf`` of them) -> ``PREDICATES`` (name -> symmetric?), ``SIGNATURE_CLASSES`` (the
  classes as written) and ``SIGNATURE`` (the coarse types of those classes and all their subclasses:
  ``pkg:Organization`` admits ORG and GOV, since ``pkg:GovernmentBody`` is one).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "vocab.py"
ONTOLOGY_IRI = "https://w3id.org/platform-kg/ontology"
NS = ONTOLOGY_IRI + "#"


def _local(term) -> str:
    return str(term)[len(NS):]


def _file_order(text: str) -> dict[str, int]:
    """Position of each ``pkg:Term a ...`` declaration in the Turtle text (rdflib keeps no order)."""
    return {m.group(1): i for i, m in enumerate(re.finditer(r"^pkg:(\w+)\s+a\s", text, re.M))}


def read_vocabulary(path: Path) -> dict:
    """The vocabulary of ``platform.ttl`` as plain data (see the module docstring)."""
    from rdflib import BNode, Graph, URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import OWL, RDF, RDFS

    text = path.read_text(encoding="utf-8")
    g = Graph().parse(data=text, format="turtle")
    order = _file_order(text)
    coarse_p = URIRef(NS + "coarseType")

    def ours(t) -> bool:
        return isinstance(t, URIRef) and str(t).startswith(NS) and len(str(t)) > len(NS)

    terms = sorted({_local(s) for s in g.subjects(RDF.type, None) if ours(s)}, key=lambda n: (order.get(n, 1e9), n))
    comments = {n: " ".join(str(g.value(URIRef(NS + n), RDFS.comment) or "").split()) for n in terms}
    classes = [n for n in terms if (URIRef(NS + n), RDF.type, OWL.Class) in g]
    class_coarse = {n: str(g.value(URIRef(NS + n), coarse_p)) for n in classes
                    if g.value(URIRef(NS + n), coarse_p) is not None}
    parent = {}
    for n in class_coarse:
        sups = [_local(s) for s in g.objects(URIRef(NS + n), RDFS.subClassOf) if ours(s)]
        if sups:
            parent[n] = sorted(sups)[0]

    def subclasses(n: str) -> set[str]:
        out, todo = {n}, [n]
        while todo:
            c = todo.pop()
            for k, p in parent.items():
                if p == c and k not in out:
                    out.add(k)
                    todo.append(k)
        return out

    def members(node) -> list[str] | None:
        """Entity classes a domain/range node names, or None when it is not made of entity classes."""
        if isinstance(node, BNode):
            union = g.value(node, OWL.unionOf)
            items = list(Collection(g, union)) if union is not None else []
            names = [_local(i) for i in items if ours(i)]
            return names if names and len(names) == len(items) and all(x in class_coarse for x in names) else None
        return [_local(node)] if ours(node) and _local(node) in class_coarse else None

    predicates, sig_classes = {}, {}
    for n in terms:
        p = URIRef(NS + n)
        if (p, RDF.type, OWL.ObjectProperty) not in g:
            continue
        dom, rng = g.value(p, RDFS.domain), g.value(p, RDFS.range)
        d, r = (members(dom) if dom is not None else None), (members(rng) if rng is not None else None)
        if d is None or r is None:
            continue
        predicates[n] = (p, RDF.type, OWL.SymmetricProperty) in g
        sig_classes[n] = (tuple(d), tuple(r))

    def coarse_of(names) -> tuple[str, ...]:
        return tuple(sorted({class_coarse[c] for n in names for c in subclasses(n)}))

    signature = {p: (coarse_of(d), coarse_of(r)) for p, (d, r) in sig_classes.items()}
    return {"terms": terms, "comments": comments, "classes": classes, "class_coarse": class_coarse,
            "parent": parent, "predicates": predicates, "sig_classes": sig_classes, "signature": signature}


def render(path: Path | None = None) -> str:
    """The text of ``kg/vocab.py`` for the ontology at ``path`` (default: the project's)."""
    if path is None:
        from kg.util import ontology_dir

        path = ontology_dir() / "platform.ttl"
    v = read_vocabulary(path)

    def comment(n: str) -> str:
        c = v["comments"][n]
        return c if len(c) <= 80 else c[:77].rstrip() + "..."

    lines = [
        '"""The ontology\'s vocabulary: GENERATED from ontology/platform.ttl by ``python -m kg.rdf.vocab_gen``.',
        "",
        "Do not edit: change platform.ttl and regenerate (``tests/rdf/test_rdf_vocab.py`` fails while this",
        "file is stale). It imports nothing of ours, so every stage may import it (the bottom layer).",
        '"""',
        "from __future__ import annotations",
        "",
        "from rdflib import Namespace, URIRef",
        "from rdflib.namespace import DefinedNamespace",
        "",
        f'ONTOLOGY_IRI = "{ONTOLOGY_IRI}"',
        "",
        "",
        "class PKG(DefinedNamespace):",
        '    """platform-kg ontology terms (a misspelt term raises AttributeError)."""',
        "",
        "    _fail = True",
        '    _NS = Namespace(ONTOLOGY_IRI + "#")',
        "",
    ]
    groups = [("classes", [n for n in v["terms"] if n in v["classes"]]),
              ("relations between entities", [n for n in v["terms"] if n in v["predicates"]]),
              ("other properties", [n for n in v["terms"] if n not in v["classes"] and n not in v["predicates"]])]
    for title, names in groups:
        lines.append(f"    # {title}")
        lines += [f"    {n}: URIRef  # {comment(n)}" for n in names]
    lines += ["", "", "# Entity class -> coarse type (scoring, entity IRIs, relation signatures), in the ontology's order.",
              "CLASS_COARSE: dict[str, str] = {"]
    lines += [f'    "{c}": "{k}",' for c, k in v["class_coarse"].items()]
    lines += ["}", "ENTITY_CLASSES: tuple[str, ...] = tuple(CLASS_COARSE)", "COARSE_TYPES: tuple[str, ...] = ("
              + ", ".join(f'"{k}"' for k in dict.fromkeys(v["class_coarse"].values())) + ")", "",
              "# Entity class -> its nearest entity superclass (rdfs:subClassOf).",
              "CLASS_PARENT: dict[str, str] = {"]
    lines += [f'    "{c}": "{p}",' for c, p in v["parent"].items()]
    lines += ["}", "", "# Relation predicate -> symmetric (owl:SymmetricProperty)?", "PREDICATES: dict[str, bool] = {"]
    lines += [f'    "{p}": {s},' for p, s in v["predicates"].items()]
    lines += ["}", "SYMMETRIC: frozenset[str] = frozenset(p for p, sym in PREDICATES.items() if sym)", "",
              "# Relation predicate -> (rdfs:domain classes, rdfs:range classes) as written (a union lists its members).",
              "SIGNATURE_CLASSES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {"]
    for p, (d, r) in v["sig_classes"].items():
        lines.append(f'    "{p}": ({_tuple(d)}, {_tuple(r)}),')
    lines += ["}", "",
              "# Relation predicate -> (allowed subject coarse types, allowed object coarse types): the domain and",
              "# range with every subclass (pkg:Organization admits GOV, as pkg:GovernmentBody is an Organization).",
              "SIGNATURE: dict[str, tuple[frozenset[str], frozenset[str]]] = {"]
    for p, (d, r) in v["signature"].items():
        lines.append(f'    "{p}": (frozenset({_tuple(d)}), frozenset({_tuple(r)})),')
    lines += ["}", ""]
    return "\n".join(lines)


def _tuple(items) -> str:
    inner = ", ".join(f'"{x}"' for x in items)
    return f"({inner},)" if len(items) == 1 else f"({inner})"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
    if "--check" in argv:
        if text != current:
            print(f"{TARGET} is stale: run python -m kg.rdf.vocab_gen", file=sys.stderr)
            return 1
        return 0
    if text != current:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
