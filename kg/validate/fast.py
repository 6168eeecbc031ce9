"""A fast SHACL engine for the constraint components ``ontology/shapes.ttl`` uses.

pySHACL takes minutes on a graph of 100k triples (issue 15: 7 min on 95k): it re-parses each
SPARQL constraint for every focus node (193 times on a small build, issue 11) and walks
``rdf:type/rdfs:subClassOf*`` per value. This engine reads the same shapes once and evaluates them
with plain index look-ups on the rdflib graph:

* ``rdf:type`` closures over ``rdfs:subClassOf`` (ontology and data, as pySHACL's ``ont_graph``
  mixing gives) are computed once per class, not once per value;
* each SPARQL constraint is evaluated *once* for all focus nodes (``$this`` left free, the solutions
  kept for the shape's focus nodes), not once per focus node. That is the same result whenever
  ``$this`` is used only in triple patterns, which :func:`compile_shapes` checks. The statement
  domain/range query of ``shapes.ttl`` (:data:`DOMAIN_RANGE_QUERY`) is computed from the class
  closures directly; any other query runs in rdflib;
* results are reported exactly as pySHACL reports them (focus node, path, value, the shape's
  ``sh:message`` with ``{?var}`` filled in), so :func:`kg.validate.validate_graph` gives the same
  findings with either engine (``tests/validate/test_validate_fast.py`` compares them on seeded
  violations).

A shape using anything else (``sh:node``, ``sh:qualifiedValueShape``, a property path sequence,
a constraint without ``sh:message``...) raises :class:`Unsupported` when the shapes are compiled,
and :func:`kg.validate.validate_graph` then runs pySHACL for everything: a new shape can never be
silently skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

# Predicates a compiled shape may carry. Anything else on a shape -> Unsupported.
_VALUE_COMPONENTS = {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.minLength, SH.maxLength, SH["in"],
                     SH["or"], SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive}
_COUNT_COMPONENTS = {SH.minCount, SH.maxCount}
_TARGETS = {SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode}
_OTHER = {RDF.type, SH.name, SH.message, SH.description, SH.property, SH.path, SH.flags, SH.sparql, SH.severity,
          SH.order, SH.group, RDFS.label, RDFS.comment}
_SPARQL_KEYS = {RDF.type, SH.message, SH.select, SH.prefixes}
_NUMERIC_CMP = {SH.minInclusive: lambda c: c >= 0, SH.maxInclusive: lambda c: c <= 0,
                SH.minExclusive: lambda c: c > 0, SH.maxExclusive: lambda c: c < 0}


_PKG_NS = "https://w3id.org/platform-kg/ontology#"
# The statement domain/range constraint of shapes.ttl. When a shape's query is this text (whitespace
# aside), the engine computes its solutions from the class closures it already holds; any other
# query runs as SPARQL. Edit both together (tests/validate/test_validate_fast.py compares with pySHACL).
DOMAIN_RANGE_QUERY = """
            SELECT $this ?path ?value ?role ?predName ?clsName ?axiom WHERE {
                {
                    $this rdf:predicate ?pred ; rdf:subject ?value .
                    ?pred rdfs:domain ?dom .
                    BIND (rdf:subject AS ?path) BIND (?dom AS ?c0) BIND ("subject" AS ?role) BIND ("domain" AS ?axiom)
                } UNION {
                    $this rdf:predicate ?pred ; rdf:object ?value .
                    ?pred rdfs:range ?rng .
                    BIND (rdf:object AS ?path) BIND (?rng AS ?c0) BIND ("object" AS ?role) BIND ("range" AS ?axiom)
                }
                FILTER (STRSTARTS(STR(?pred), "https://w3id.org/platform-kg/ontology#"))
                FILTER NOT EXISTS { ?value rdf:type/rdfs:subClassOf* ?c0 }
                FILTER NOT EXISTS { ?c0 owl:unionOf/rdf:rest*/rdf:first ?alt . ?value rdf:type/rdfs:subClassOf* ?alt }
                OPTIONAL { ?c0 owl:unionOf ?u }
                BIND (REPLACE(STR(?pred), "^.*#", "pkg:") AS ?predName)
                BIND (IF(BOUND(?u), "member of its union range", REPLACE(STR(?c0), "^.*#", "pkg:")) AS ?clsName)
            }
"""


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not evaluate (pySHACL is used instead)."""


@dataclass
class SparqlConstraint:
    query: str  # with PREFIX lines, $this renamed ?this
    message: str
    native: bool = False  # the query is DOMAIN_RANGE_QUERY: evaluated by Engine._domain_range_rows


@dataclass
class Shape:
    node: object
    name: str
    path: tuple | None = None  # ("fwd", p) or ("inv", p)
    message: str | None = None
    severity: str = "Violation"
    components: list = field(default_factory=list)  # (component IRI, parameter, result message)
    properties: list["Shape"] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    targets: list = field(default_factory=list)  # (target IRI, parameter)


@dataclass(frozen=True)
class Result:
    group: str
    focus: object
    path: object
    value: object
    message: str
    severity: str


def _list(g: Graph, head) -> list:
    return list(Collection(g, head))


def compile_shapes(shapes: Graph, name_of) -> list[Shape]:
    """The node shapes of ``shapes`` as :class:`Shape` trees; :class:`Unsupported` if one cannot be run."""
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape)) | {s for t in _TARGETS for s in shapes.subjects(t, None)}
    prefixes = _prefixes(shapes)
    return [_compile(shapes, s, name_of(shapes, s), prefixes, top=True) for s in sorted(node_shapes, key=str)]


def _prefixes(shapes: Graph) -> dict:
    out = {}
    for owner, decl in shapes.subject_objects(SH.declare):
        out.setdefault(owner, []).append((str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace))))
    return out


def _compile(g: Graph, node, name: str, prefixes: dict, top: bool = False) -> Shape:
    shape = Shape(node=node, name=name)
    messages = sorted(str(m) for m in g.objects(node, SH.message))
    shape.message = messages[0] if messages else None
    sev = g.value(node, SH.severity)
    if sev is not None:
        shape.severity = str(sev).rsplit("#", 1)[-1]
    for p, o in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]), str(po[1]))):
        if p in _VALUE_COMPONENTS or p in _COUNT_COMPONENTS:
            param = _list(g, o) if p in (SH["in"], SH["or"]) else o
            if p == SH["or"]:
                param = [_compile(g, member, name, prefixes) for member in param]
            if p == SH.pattern:
                flags = g.value(node, SH.flags)
                param = re.compile(str(o), _re_flags(str(flags or "")))
            shape.components.append((p, param, shape.message or _generic_message(g, p, o)))
        elif p in _TARGETS:
            shape.targets.append((p, o))
        elif p == SH.property:
            shape.properties.append(_compile(g, o, name, prefixes))
        elif p == SH.path:
            shape.path = _path(g, o)
        elif p == SH.sparql:
            shape.sparql.append(_sparql(g, o, prefixes))
        elif p not in _OTHER:
            raise Unsupported(f"{p} on shape {node}")
    if shape.path is None and not top and shape.properties:
        raise Unsupported(f"nested node shape {node}")
    if any(m is None for _, _, m in shape.components) and (top or shape.path is not None):
        # a result would carry pySHACL's generic message for that component, which we only copy for sh:class
        raise Unsupported(f"shape {node} has a constraint without sh:message")
    return shape


def _generic_message(g: Graph, comp, param) -> str | None:
    """pySHACL's message for a result of a shape without sh:message (only sh:class is needed so far)."""
    if comp == SH["class"] and isinstance(param, URIRef):
        return f"Value does not have class {param.n3(g.namespace_manager)}"
    return None


def _path(g: Graph, node) -> tuple:
    if isinstance(node, URIRef):
        return ("fwd", node)
    inv = g.value(node, SH.inversePath)
    if isinstance(inv, URIRef) and len(list(g.predicate_objects(node))) == 1:
        return ("inv", inv)
    raise Unsupported(f"property path {node}")


def _sparql(g: Graph, node, prefixes: dict) -> SparqlConstraint:
    if any(p not in _SPARQL_KEYS for p in g.predicates(node)):
        raise Unsupported(f"SPARQL constraint {node}: only sh:select, sh:message, sh:prefixes are run")
    text = str(g.value(node, SH.select))
    if re.search(r"\$(?!this\b)\w+", text) or re.search(r"\b(?:FILTER|BIND|VALUES|SELECT\s*\{)[^{}]*\$this", text):
        raise Unsupported(f"SPARQL constraint {node}: $this outside triple patterns or other pre-bound variables")
    head = "".join(f"PREFIX {p}: <{ns}>\n" for owner in g.objects(node, SH.prefixes) for p, ns in prefixes.get(owner, []))
    messages = sorted(str(m) for m in g.objects(node, SH.message))
    if not messages:
        raise Unsupported(f"SPARQL constraint {node} has no sh:message")
    return SparqlConstraint(query=head + text.replace("$this", "?this"), message=messages[0],
                            native=" ".join(text.split()) == " ".join(DOMAIN_RANGE_QUERY.split()))


def _re_flags(flags: str) -> int:
    return (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0) | (re.S if "s" in flags else 0) | (
        re.X if "x" in flags else 0)


class Engine:
    """Evaluates compiled shapes on one data graph mixed with the ontology (as pySHACL's ``ont_graph``)."""

    def __init__(self, data: Graph, ontology: Graph):
        self.data, self.ontology = data, ontology
        self._sub: dict = {}  # class -> itself and all its subclasses
        down: dict = {}
        for g in (ontology, data):
            for c, sup in g.subject_objects(RDFS.subClassOf):
                down.setdefault(sup, set()).add(c)
        self._down = down
        self._instances: dict = {}
        self._types: dict = {}
        self._ups: dict = {}

    def subclasses(self, cls) -> set:
        if cls not in self._sub:
            seen, todo = {cls}, [cls]
            while todo:
                for c in self._down.get(todo.pop(), ()):
                    if c not in seen:
                        seen.add(c)
                        todo.append(c)
            self._sub[cls] = seen
        return self._sub[cls]

    def instances(self, cls) -> set:
        """Nodes typed ``cls`` or a subclass, in the data or the ontology."""
        if cls not in self._instances:
            out = set()
            for c in self.subclasses(cls):
                for g in (self.data, self.ontology):
                    out.update(g.subjects(RDF.type, c))
            self._instances[cls] = out
        return self._instances[cls]

    def objects(self, node, p) -> list:
        return list(dict.fromkeys([*self.data.objects(node, p), *self.ontology.objects(node, p)]))

    def subjects(self, p, node) -> list:
        return list(dict.fromkeys([*self.data.subjects(p, node), *self.ontology.subjects(p, node)]))

    def targets(self, shape: Shape) -> set:
        out: set = set()
        for kind, param in shape.targets:
            if kind == SH.targetClass:
                out |= self.instances(param)
            elif kind == SH.targetSubjectsOf:
                out.update(s for g in (self.data, self.ontology) for s in g.subjects(param, None))
            elif kind == SH.targetObjectsOf:
                out.update(o for g in (self.data, self.ontology) for o in g.objects(None, param))
            elif kind == SH.targetNode:
                out.add(param)
        return out

    def run(self, shapes: list[Shape]) -> list[Result]:
        results: list[Result] = []
        for shape in shapes:
            focus = self.targets(shape)
            if not focus:
                continue
            for f in sorted(focus, key=str):
                results += self.check(shape, f)
            for sc in shape.sparql:
                results += self.sparql(shape, sc, focus)
        return results

    def value_nodes(self, shape: Shape, focus) -> list:
        if shape.path is None:
            return [focus]
        kind, p = shape.path
        return self.objects(focus, p) if kind == "fwd" else self.subjects(p, focus)

    def check(self, shape: Shape, focus) -> list[Result]:
        """Results of ``shape`` (and its property shapes) on one focus node."""
        values = self.value_nodes(shape, focus)
        out = []

        def result(value, message):
            return Result(shape.name, focus, shape.path[1] if shape.path and shape.path[0] == "fwd" else None,
                          value, message, shape.severity)

        for comp, param, message in shape.components:
            if comp == SH.minCount and len(values) < int(param):
                out.append(result(None, message))
            elif comp == SH.maxCount and len(values) > int(param):
                out.append(result(None, message))
            elif comp not in _COUNT_COMPONENTS:
                out += [result(v, message) for v in values if not self.value_ok(comp, param, v)]
        for prop in shape.properties:
            out += self.check(prop, focus)
        return out

    def conforms(self, shape: Shape, node) -> bool:
        """Whether ``node`` conforms to a member shape of ``sh:or`` (no results of its own)."""
        return not self.check(shape, node)

    def value_ok(self, comp, param, v) -> bool:
        if comp == SH["class"]:
            return not isinstance(v, Literal) and bool(self.types(v) & self.subclasses(param))
        if comp == SH.datatype:
            return _datatype_ok(v, param)
        if comp == SH.nodeKind:
            return _node_kind_ok(v, param)
        if comp == SH.pattern:
            return not isinstance(v, BNode) and param.search(str(v)) is not None
        if comp == SH.minLength:
            return not isinstance(v, BNode) and len(str(v)) >= int(param)
        if comp == SH.maxLength:
            return not isinstance(v, BNode) and len(str(v)) <= int(param)
        if comp == SH["in"]:
            return v in param
        if comp == SH["or"]:
            return any(self.conforms(member, v) for member in param)
        return _compare_ok(comp, param, v)

    def types(self, node) -> set:
        if node not in self._types:
            self._types[node] = set(self.objects(node, RDF.type))
        return self._types[node]

    def sparql(self, shape: Shape, sc: SparqlConstraint, focus: set) -> list[Result]:
        """One evaluation of the constraint for all focus nodes (natively if it is the domain/range query)."""
        rows = self._domain_range_rows(focus) if sc.native else self._query_rows(sc.query)
        out, seen = [], set()
        for bound in rows:
            this = bound.pop("this", None)
            if this is None or this not in focus:
                continue
            path, value = bound.pop("path", None), bound.pop("value", None)
            key = (this, path, value, tuple(sorted(bound.items())))
            if key in seen:
                continue
            seen.add(key)
            fdict = {**bound, "this": this}
            if path is not None:
                fdict["path"] = path
            if value is not None:
                fdict["value"] = value
            msg = sc.message
            for var, val in fdict.items():
                msg = re.sub(r"\{[?$]" + re.escape(var) + r"\}", str(val).replace("\\", "\\\\"), msg)
            out.append(Result(shape.name, this, path, value if value is not None else this, msg, shape.severity))
        return out

    def _query_rows(self, query: str) -> list[dict]:
        """Run ``query`` once with rdflib on the data with the ontology mixed in (rdflib, not pyoxigraph:
        pyoxigraph 0.5 re-evaluates a FILTER NOT EXISTS group unbound for every row, quadratic here)."""
        added = [t for t in self.ontology if t not in self.data]
        for t in added:
            self.data.add(t)
        try:
            return [{str(k): v for k, v in row.asdict().items()} for row in self.data.query(query)]
        finally:
            for t in added:
                self.data.remove(t)

    def _domain_range_rows(self, focus: set) -> list[dict]:
        """The solutions of shapes.ttl's statement domain/range query (:data:`DOMAIN_RANGE_QUERY`), computed
        with the cached class closures instead of a SPARQL engine (same rows, checked by the tests)."""
        rows = []
        for this in focus:
            for pred in self.objects(this, RDF.predicate):
                if not str(pred).startswith(_PKG_NS):
                    continue
                for axiom, role, path, prop in (("domain", "subject", RDF.subject, RDFS.domain),
                                                ("range", "object", RDF.object, RDFS.range)):
                    for c0 in self.objects(pred, prop):
                        union = self.objects(c0, OWL.unionOf)
                        members = [m for u in union for m in _list_members(self, u)]
                        for value in self.objects(this, path):
                            ups = self.superclasses_of_types(value)
                            if c0 in ups or any(m in ups for m in members):
                                continue
                            cls_name = "member of its union range" if union else (
                                re.sub(r"^.*#", "pkg:", str(c0)) if isinstance(c0, URIRef) else None)
                            row = {"this": this, "path": path, "value": value, "role": Literal(role),
                                   "predName": Literal(re.sub(r"^.*#", "pkg:", str(pred))), "axiom": Literal(axiom)}
                            if cls_name is not None:
                                row["clsName"] = Literal(cls_name)
                            rows.append(row)
        return rows

    def superclasses_of_types(self, node) -> set:
        """``?c`` with ``node rdf:type/rdfs:subClassOf* ?c``."""
        if node not in self._ups:
            seen, todo = set(), list(self.types(node))
            while todo:
                c = todo.pop()
                if c not in seen:
                    seen.add(c)
                    todo += self.objects(c, RDFS.subClassOf)
            self._ups[node] = seen
        return self._ups[node]


def _list_members(engine: Engine, head) -> list:
    """``head rdf:rest*/rdf:first ?m``."""
    out, seen = [], set()
    while head is not None and head != RDF.nil and head not in seen:
        seen.add(head)
        out += engine.objects(head, RDF.first)
        rests = engine.objects(head, RDF.rest)
        head = rests[0] if rests else None
    return out


def _datatype_ok(v, dt) -> bool:
    """pySHACL's rule: a literal of that datatype whose lexical form is valid (plain = xsd:string)."""
    from rdflib.namespace import XSD

    if not isinstance(v, Literal):
        return False
    if v.datatype == dt:
        if getattr(v, "ill_typed", None) is True:
            return False
        return _value_matches(v, dt)
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype:
        return v.datatype is not None
    if v.datatype is None and v.language is None and dt == XSD.string:
        return _value_matches(v, dt)
    if dt == RDF.langString and v.language:
        return _value_matches(v, dt)
    return False


def _value_matches(v: Literal, dt) -> bool:
    import datetime as _dt
    from decimal import Decimal

    from rdflib.namespace import XSD

    value = v.value
    checks = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
              XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: _dt.date, XSD.time: _dt.time,
              XSD.dateTime: _dt.datetime}
    return isinstance(value, checks[dt]) if dt in checks else True


def _node_kind_ok(v, kind) -> bool:
    ok = {SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,), SH.BlankNodeOrIRI: (BNode, URIRef),
          SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal)}
    return isinstance(v, ok[kind])


def _compare_ok(comp, bound: Literal, v) -> bool:
    """sh:min/maxInclusive/Exclusive exactly as pySHACL compares (strings only with strings)."""
    from pyshacl.rdfutil.compare import compare_literal

    if not isinstance(v, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(v.value, str):
        return False
    try:
        return _NUMERIC_CMP[comp](compare_literal(v, bound))
    except (TypeError, NotImplementedError):
        return False
