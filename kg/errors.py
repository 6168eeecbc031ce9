"""Every user-facing error of platform-kg, in one place.

Each exception carries the one-line sentence a person sees: what is wrong, where (file, line,
query position), and what to do about it. The CLI prints ``str(error)`` and exits non-zero.
"""
from __future__ import annotations


class KGError(Exception):
    """Base class: ``str(err)`` is the complete user-facing message."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InputError(KGError):
    """An input file or stream that cannot be read as an article source."""

    def __init__(self, path: str, problem: str, line: int | None = None, hint: str = ""):
        where = f"{path}:{line}" if line is not None else str(path)
        msg = f"{where}: {problem}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)
        self.path = str(path)
        self.line = line
        self.problem = problem


class ModelError(KGError):
    """The spaCy pipeline named by --model / config cannot be loaded."""


class GraphFileError(KGError):
    """A graph file or store that cannot be read."""


class QueryError(KGError):
    """An invalid, refused or failing SPARQL query."""


class ParameterError(QueryError):
    """A missing, unknown or ambiguous query parameter."""


class GoldError(KGError):
    """A gold-standard file that does not follow the gold schema."""


class OutputError(KGError):
    """An output that cannot be written."""


class ValidationFailed(KGError):
    """SHACL or ontology checks found violations."""


class EndpointError(KGError):
    """A remote SPARQL endpoint or Graph Store that cannot be reached or refused a request."""


class WorkerError(KGError):
    """A worker process or a Dask cluster that failed or cannot be reached (kg build --workers/--dask)."""
