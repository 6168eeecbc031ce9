"""Ingest: files, directories and stdin -> :class:`Article` objects."""
from kg.ingest.article import Article, IngestReport, Passage
from kg.ingest.readers import read_inputs

__all__ = ["Article", "IngestReport", "Passage", "read_inputs"]
