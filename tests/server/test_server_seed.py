"""The acceptance query through `kg serve` on the graph the pipeline built from the seed digest."""
from __future__ import annotations

import pytest

from kg.query.presets import PRESET_DIR


@pytest.fixture(scope="module")
def seed_endpoint(seed_graph_path):
    from tests_support import serving

    with serving(seed_graph_path, workers=1, timeout=10.0, max_rows=1000) as url:
        yield url


def test_serve_seed_facts_about_tiktok_with_sparqlwrapper(seed_endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    sw = SPARQLWrapper(seed_endpoint + "/sparql")
    sw.setQuery((PRESET_DIR / "facts-about.rq").read_text(encoding="utf-8"))
    sw.setMethod(POST)
    sw.addParameter("param.org", "TikTok")
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert ("acquiredStakeIn", "Tokopedia") in {(r["relation"]["value"], r["objectLabel"]["value"]) for r in rows}
    assert all(r["evidence"]["value"] and r["articleTitle"]["value"] for r in rows)
