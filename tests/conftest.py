"""Shared fixtures. Heavy ones (the spaCy pipeline, built graphs) are session-scoped."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = TESTS / "data"
SEED_DIR = DATA / "seed"
DEV_DIR = DATA / "dev-corpus"


@pytest.fixture(scope="session")
def sample_graph_path() -> Path:
    """A small hand-written graph in the data model's shape (no NLP needed)."""
    return DATA / "sample-graph.ttl"


@pytest.fixture(scope="session")
def nlp():
    """The project's full spaCy pipeline, loaded once."""
    from kg.extract.pipeline import load_pipeline

    return load_pipeline()


def extract_text(nlp, text: str):
    """The ArticleExtraction of one article whose body is ``text`` (the real pipeline, both passes)."""
    import json

    from kg.extract.pipeline import extract_articles
    from kg.ingest.readers import IngestReport, read_jsonl

    record = json.dumps({"title": "Test", "source": "tests", "date": "2025-06-01", "text": text})
    ex, = extract_articles(nlp, list(read_jsonl(record, "-", IngestReport())))
    return ex


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The seed digest built once by the real pipeline: ``(BuildResult, path to graph.ttl)``."""
    from kg.pipeline import build_graph, write_outputs

    out = tmp_path_factory.mktemp("seed-build")
    result = build_graph([SEED_DIR / "social-ecommerce-digest-2025.txt"])
    write_outputs(result, out, html=False)
    return result, out / "graph.ttl"


@pytest.fixture(scope="session")
def seed_graph_path(seed_build) -> Path:
    return seed_build[1]


@pytest.fixture(scope="session")
def seed_graph(seed_build):
    return seed_build[0].graph


@pytest.fixture
def copy_sample(tmp_path, sample_graph_path) -> Path:
    dst = tmp_path / "graph.ttl"
    shutil.copy(sample_graph_path, dst)
    return dst
