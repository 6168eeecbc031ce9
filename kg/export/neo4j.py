"""CSV for Neo4j's bulk importer (``neo4j-admin database import full``).

Writes ``nodes.csv`` (entities; ``:ID`` is the entity IRI, ``:LABEL`` the class with its
superclass, e.g. ``Entity;Organization;Platform``) and ``relationships.csv`` (``:START_ID``,
``:END_ID``, ``:TYPE`` = the predicate's local name) into a directory, plus a README with the import
command. Fields are RFC 4180 quoted; evidence-free, so newlines only occur in odd names, but the
command passes ``--multiline-fields=true`` anyway.
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
REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "confidence:float", "articles:int", "symmetric:boolean"]

_SUPER = {"Company": "Organization", "Platform": "Organization", "Association": "Organization",
          "MediaOutlet": "Organization", "GovernmentBody": "Organization",
          "Country": "Place", "Region": "Place", "City": "Place"}

IMPORT_COMMAND = (
    "neo4j-admin database import full --nodes=import/nodes.csv --relationships=import/relationships.csv "
    "--multiline-fields=true --overwrite-destination neo4j"
)

README = f"""# platform-kg graph for Neo4j

`nodes.csv` holds one row per entity (`:ID` = entity IRI, labels `Entity` + class + superclass),
`relationships.csv` one row per relation (`:TYPE` = predicate: worksFor, partnerOf, ...).

Copy both files into the `import/` folder of a stopped Neo4j 5 instance, then run:

    {IMPORT_COMMAND}

and start Neo4j. Example query:

    MATCH (p:Person)-[r:worksFor]->(o) RETURN p.name, o.name, r.confidence
"""


def labels_of(cls: str) -> str:
    chain = ["Entity", *([_SUPER[cls]] if cls in _SUPER else []), cls]
    return ";".join(chain)


def node_rows(graph: Graph) -> list[list]:
    nodes = entities(graph)
    return [[a["iri"], a["label"], a["class"], a["coarse"], a["aliases"], a["wikidata"], a["articles"],
             labels_of(a["class"])] for a in nodes.values()]


def relationship_rows(graph: Graph) -> list[list]:
    return [[r["source"], r["target"], r["predicate"], repr(float(r["confidence"])), r["articles"],
             "true" if r["symmetric"] else "false"] for r in relations(graph)]


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
