"""A user's own reference file merged over the bundled entities (issue 13.6)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kg.errors import KGError
from kg.extract.reference import load_reference

USER = [
    {"id": "xiaohongshu", "aliases": {"en": ["XHS Mall"]}},
    {"id": "acme-brands", "name": "Acme Brands", "class": "Company", "aliases": {"zh": ["艾克米"]}},
]


@pytest.fixture
def user_file(tmp_path, monkeypatch):
    def write(content):
        p = tmp_path / "mine.json"
        p.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        monkeypatch.setenv("KG_REFERENCE", str(p))
        return p
    return write


def test_reference_user_file_adds_aliases_and_entities(user_file):
    assert "XHS Mall" not in load_reference().entities["xiaohongshu"].aliases_en
    user_file(USER)  # read on the next call: the cache is keyed by the file and its mtime
    ref = load_reference()
    red = ref.entities["xiaohongshu"]
    assert "XHS Mall" in red.aliases_en and "RED" in red.aliases_en and "小红书" in red.aliases_zh
    assert red.cls == "Platform" and red.name == "Xiaohongshu"
    assert ref.entities["acme-brands"].aliases_zh == ("艾克米",)


@pytest.mark.parametrize("content, message", [
    ("[{\"id\": \"x\",}]", "mine.json:1: not valid JSON"),
    ({"id": "x"}, "expected a JSON list of entities"),
    ([{"id": "acme", "name": "Acme", "class": "Firm"}], "entry 0 ('Acme'): unknown class 'Firm'; use one of"),
    ([{"id": "acme", "class": "Company"}], "entry 0 ('acme'): a new entity needs 'name'"),
    ([{"id": "Acme Co", "name": "Acme", "class": "Company"}], "'id' must be a lower-case key"),
    ([{"id": "acme", "name": "Acme", "class": "Company", "alias": ["A"]}], "unknown key 'alias'"),
    ([{"id": "acme", "name": "Acme", "class": "Company", "aliases": ["A"]}], "'aliases' must look like"),
    ([{"id": "acme", "name": "Acme", "class": "Company", "wikidata": "12"}], "'wikidata' must be an item id"),
    ([{"id": "a", "name": "A", "class": "Company"}, {"id": "a", "name": "B", "class": "Company"}], "duplicate id 'a'"),
])
def test_reference_user_file_errors_name_entry_and_fix(user_file, content, message):
    user_file(content)
    with pytest.raises(KGError) as e:
        load_reference()
    assert message in str(e.value) and str(e.value).startswith(str(os.environ["KG_REFERENCE"]))


def test_reference_missing_file_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_REFERENCE", str(tmp_path / "nope.json"))
    with pytest.raises(KGError, match="reference file not found; check --reference / KG_REFERENCE"):
        load_reference()


@pytest.mark.slow
def test_reference_cli_finds_the_users_names(tmp_path):
    """``kg build --reference`` on a Markdown file with front matter; the user's alias finds the entity."""
    (tmp_path / "mine.json").write_text(json.dumps(USER), encoding="utf-8")
    (tmp_path / "news.md").write_text(
        "---\ntitle: XHS Mall opens a shop\ndate: 2025-03-04\nsource: Example Wire\nurl: https://example.org/a\n---\n\n"
        "XHS Mall partnered with Acme Brands to sell cosmetics in Shanghai.\n", encoding="utf-8")
    kg = [os.path.join(os.path.dirname(sys.executable), "kg")]
    env = {k: v for k, v in os.environ.items() if k != "KG_REFERENCE"}
    bad = subprocess.run(kg + ["build", "news.md", "-o", "out", "--reference", "missing.json"], cwd=tmp_path,
                         capture_output=True, text=True, env=env)
    assert bad.returncode != 0 and "missing.json: reference file not found" in bad.stderr
    assert "Traceback" not in bad.stderr
    res = subprocess.run(kg + ["build", "news.md", "-o", "out", "--no-html", "--reference", "mine.json"],
                         cwd=tmp_path, capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr
    def query(*args):
        q = subprocess.run(kg + ["query", "out/graph.ttl", *args, "--format", "csv"], cwd=tmp_path,
                           capture_output=True, text=True, env=env)
        assert q.returncode == 0, q.stderr
        return q.stdout

    # the user's new entity, typed by the user's class; the user's alias resolved to the bundled entity
    assert "Acme Brands" in query("--preset", "entities-by-type", "--param", "type=Company")
    assert "Xiaohongshu" in query('SELECT ?l WHERE { ?e skos:altLabel "XHS Mall"@en ; rdfs:label ?l }')
    # the front matter gave the article its title, source and url
    meta = query("SELECT ?t ?p ?u WHERE { ?a dcterms:title ?t ; dcterms:publisher ?p ; schema:url ?u }")
    assert "XHS Mall opens a shop,Example Wire,https://example.org/a" in meta


def test_gazetteer_is_current():
    """Fails after an edit of entities.json or the thresholds until ``python -m kg.extract.gazetteer`` is run."""
    from kg.extract import gazetteer

    assert gazetteer.TARGET.read_text(encoding="utf-8") == gazetteer.render(), \
        "kg/ontology/reference/places.json is stale: run python -m kg.extract.gazetteer"


def test_gazetteer_places_are_reference_entities_and_curated_entries_win():
    ents = load_reference().entities
    assert ents["morocco"].cls == "Country" and ents["morocco"].gazetteer
    assert ents["nairobi"].cls == "City" and ents["nairobi"].case_sensitive
    assert not ents["china"].gazetteer  # curated
    names = [n.casefold() for e in ents.values() for n in (e.name, *e.aliases_en)]
    assert names.count("singapore") == 1  # the curated Singapore only


@pytest.mark.parametrize("text,name,cls", [
    ("Jumia expanded into Morocco and Cameroon.", "Cameroon", "Country"),
    ("Daraz sells in Bangladesh, Nepal and Sri Lanka.", "Nepal", "Country"),
    ("The start-up moved its head office to Addis Ababa.", "Addis Ababa", "City"),
])
def test_gazetteer_places_are_typed_as_places(nlp, text, name, cls):
    assert (name, cls) in {(m.name, m.cls) for m in nlp(text)._.kg_ents}


@pytest.mark.parametrize("text,place", [
    ("Jordan Peterson spoke at the summit.", "Jordan"),  # part of a longer proper name
    ("Safaricom Kenya raised its prices.", "Kenya"),
])
def test_gazetteer_place_inside_a_longer_name_is_not_a_place(nlp, text, place):
    assert (place, "Country") not in {(m.name, m.cls) for m in nlp(text)._.kg_ents}
