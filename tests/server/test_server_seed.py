"""The acceptance query through `kg serve` on the graph the pipeline built from the seed digest."""
from __future__ import annotations

import threading

import pytest

from kg.query.presets import PRESET_DIR
from kg.server import make_server


@pytest.fixture(scope="module")
def seed_endpoint(seed_graph_path):
    server = make_server(seed_graph_path, port=0, workers=1, timeout=10.0, max_rows=1000)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}"
    server.shutdown()
    server.server_close()
    server.pool.close()


def test_serve_seed_partners_of_xiaohongshu_with_sparqlwrapper(seed_endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    sw = SPARQLWrapper(seed_endpoint + "/sparql")
    sw.setQuery((PRESET_DIR / "partners-of.rq").read_text(encoding="utf-8"))
    sw.setMethod(POST)
    sw.addParameter("param.org", "小红书")
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert {"Tmall", "JD.com", "Taobao"} <= {r["partnerLabel"]["value"] for r in rows}
    assert all(r["evidence"]["value"] and r["articleTitle"]["value"] for r in rows)
