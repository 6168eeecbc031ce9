"""JSON-LD, compacted with the project's context (``kg/ontology/context.jsonld``).

The context is embedded in the file rather than referenced by URL, so the file reads offline and
no JSON-LD processor has to fetch anything; it is the same object as the shipped context file.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from kg.errors import OutputError
from kg.util import atomic_write, ontology_dir

CONTEXT_FILE = "context.jsonld"


@lru_cache(maxsize=1)
def load_context() -> dict:
    """The ``@context`` object of ``kg/ontology/context.jsonld``."""
    path = ontology_dir() / CONTEXT_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError) as e:
        raise OutputError(f"{path}: cannot read the JSON-LD context ({e}); reinstall platform-kg") from None


def to_jsonld(graph: Graph) -> str:
    """The compacted JSON-LD text: context first (in the shipped file's order), nodes sorted by
    ``@id`` so that two builds of the same graph give the same file."""
    data = json.loads(graph.serialize(format="json-ld", context=load_context(), auto_compact=True))
    nodes = data.pop("@graph", None)
    data.pop("@context", None)
    if nodes is None:  # rdflib inlines a single node at the top level
        nodes = [data] if data else []
    nodes.sort(key=lambda n: (str(n.get("@id", "")), json.dumps(n, sort_keys=True, ensure_ascii=False)))
    out = {"@context": load_context(), "@graph": nodes}
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def write_jsonld(graph: Graph, path: Path) -> list[Path]:
    text = to_jsonld(graph)
    with atomic_write(path) as fh:
        fh.write(text)
    return [Path(path)]
