"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint and a query page, offline.

* ``/sparql``: GET ``?query=`` or POST (form, or ``application/sparql-query``); results as JSON, XML,
  CSV, TSV (SELECT/ASK) or Turtle/N-Triples (CONSTRUCT/DESCRIBE) by ``Accept`` or ``format``.
  Parameters of a query's ``# param:`` header are bound from ``param.NAME`` fields.
* updates and Graph Store writes (PUT, DELETE, POST of data) answer 403;
* each query runs in a worker process with a wall-clock timeout (503 when exceeded) and a row cap
  (rows beyond it are dropped and ``X-KG-Truncated: true`` says so);
* ``/`` is the query page (presets, parameters, editor, result table); ``/api/presets`` its data.
"""
from __future__ import annotations

from kg.server.app import make_server, serve

__all__ = ["make_server", "serve"]
