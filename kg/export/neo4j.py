"""CSV for Neo4j's bulk importer (``neo4j-admin database import full``).

Writes ``nodes.csv`` (entities; ``:ID`` is the entity IRI, ``:LABEL`` the class with its
superclass, e.g. ``Entity;Organization;Platform``) and ``relationships.csv`` (``:START_ID``,
``:END_ID``, ``:TYPE`` = the predicate's local name, then what the statements say about the fact:
confidence, role, stake, amount, currency, date, the number of evidence sentences and the first one)
into a directory, plus a README with the import command. Headers are typed the way neo4j-admin reads
them (``name:type``; an empty field is an absent property); fields are RFC 4180 quoted, and the
command passes ``--multiline-fields=true`` because evidence sentences may hold line breaks.
"""
from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from rdflib import Graph

from kg.export.networkx import entities, relations
from kg.util import atomic_write

NODE_HEADER = ["iri:ID", "name", "class", "coarse", "aliases", "wikidata", "articles:int", ":LABEL"]
REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "confidence:float", "articles:int", "symmetric:boolean",
              "role", "stakePercent:double", "amount:double", "currency", "date:date", "evidenceCount:int",
              "evidence"]

_SUPER = {"Company": "Organization", "Platform": "Organization", "Association": "Organization",
          "MediaOutlet": "Organization", "GovernmentBody": "Organization",
          "Country": "Place", "Region": "Place", "City": "Place"}

IMPORT_COMMAND = (
    "neo4j-admin database import full --nodes=import/nodes.csv --relationships=import/relationships.csv "
    "--multiline-fields=true --overwrite-destination neo4j"
)

README = f"""# platform-kg graph for Neo4j

`nodes.csv` holds one row per entity (`:ID` = entity IRI, labels `Entity` + class + superclass),
`relationships.csv` one row per relation (`:TYPE` = predicate: worksFor, partnerOf, ...) with its
confidence, role, stakePercent, amount, currency, date, evidenceCount and first evidence sentence.

Copy both files into the `import/` folder of a stopped Neo4j 5 instance, then run:

    {IMPORT_COMMAND}

and start Neo4j. Example query:

    MATCH (p:Person)-[r:worksFor]->(o) RETURN p.name, r.role, o.name, r.confidence, r.evidence
"""


def labels_of(cls: str) -> str:
    chain = ["Entity", *([_SUPER[cls]] if cls in _SUPER else []), cls]
    return ";".join(chain)


def node_rows(graph: Graph) -> list[list]:
    nodes = entities(graph)
    return [[a["iri"], a["label"], a["class"], a["coarse"], a["aliases"], a["wikidata"], a["articles"],
             labels_of(a["class"])] for a in nodes.values()]


def _num(v) -> str:
    return "" if v is None else repr(float(v))


def relationship_rows(graph: Graph) -> list[list]:
    return [[r["source"], r["target"], r["predicate"], repr(float(r["confidence"])), r["articles"],
             "true" if r["symmetric"] else "false", r["role"] or "", _num(r["stake"]), _num(r["amount"]),
             r["currency"] or "", str(r["date"])[:10] if r["date"] else "", r["evidence"], r["evidence_first"]]
            for r in relations(graph)]


def write_neo4j_csv(graph: Graph, directory: Path) -> list[Path]:
    """Write ``nodes.csv``, ``relationships.csv`` and ``README.md`` into ``directory``.

    All three are written to temp files first and renamed only when all succeeded.
    """
    directory = Path(directory)
    nodes, rels = node_rows(graph), relationship_rows(graph)
    paths = [directory / "nodes.csv", directory / "relationships.csv", directory / "README.md"]
    texts = [_csv_text(NODE_HEADER, nodes), _csv_text(REL_HEADER, rels), README]
    with contextlib.ExitStack() as stack:
        handles = [stack.enter_context(atomic_write(p, "wb")) for p in paths]
        for fh, text in zip(handles, texts):
            fh.write(text.encode("utf-8"))
    return paths


def _csv_text(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO(newline="")
    # CRLF rows (RFC 4180): with a bare "\n" terminator Python leaves a lone "\r" in a field unquoted
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()
