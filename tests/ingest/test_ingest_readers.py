"""Readers: digest, plain text/Markdown, JSON Lines, directories, stdin, and every bad input."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.ingest import read_inputs
from kg.ingest.text import bullet_passages

from conftest import SEED_DIR

DIGEST = """Workflow
Search documents
Zalora 扩张东南亚市场
Example Wire· 2024-03-05 09:15
Core Insights - Zalora opened a new warehouse in Manila [1][2] - The company hired 300 staff [3] Expansion Plan - Zalora plans to enter Vietnam next year [4]
Second Title
Other Source· 2024-03-06 10:00
Group 1 - Lazada cut fees [1]
"""


def write(tmp_path: Path, name: str, data) -> Path:
    p = tmp_path / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(data, encoding="utf-8")
    return p


def test_ingest_digest_articles(tmp_path):
    p = write(tmp_path, "d.txt", DIGEST)
    arts, rep = read_inputs([p])
    assert rep.errors == [] and len(arts) == 2
    a = arts[0]
    assert (a.title, a.source, a.date, a.line) == ("Zalora 扩张东南亚市场", "Example Wire", "2024-03-05T09:15", 3)
    assert [x.text for x in a.passages] == ["Zalora opened a new warehouse in Manila", "The company hired 300 staff",
                                            "Zalora plans to enter Vietnam next year"]
    assert [x.section for x in a.passages] == ["Core Insights", "Core Insights", "Expansion Plan"]


def test_ingest_digest_offsets_are_exact(tmp_path):
    p = write(tmp_path, "d.txt", DIGEST)
    raw = p.read_text(encoding="utf-8")
    arts, _ = read_inputs([p])
    for a in arts:
        for x in a.passages:
            s, e = x.raw_span(0, len(x.text))
            assert raw[s:e] == x.text


def test_ingest_seed_digest_has_no_citation_debris():
    arts, rep = read_inputs([SEED_DIR / "social-ecommerce-digest-2025.txt"])
    assert len(arts) == 10 and not rep.errors
    assert all("[" not in x.text and not x.text.startswith(("Core Insights", "Group ")) for a in arts for x in a.passages)


@pytest.mark.parametrize("name,text,title,passages", [
    ("a.txt", "Shopee expands\n\nShopee opened offices in Brazil [2].\n\nIt hired staff.\n",
     "Shopee expands", ["Shopee opened offices in Brazil.", "It hired staff."]),
    ("b.md", "# Lazada news\n\n## Deals\n- Lazada bought a stake in Tiki\n- Lazada hired a CEO\n",
     "Lazada news", ["Lazada bought a stake in Tiki", "Lazada hired a CEO"]),
])
def test_ingest_plain_text_and_markdown(tmp_path, name, text, title, passages):
    arts, rep = read_inputs([write(tmp_path, name, text)])
    assert rep.errors == []
    assert arts[0].title == title
    assert [x.text for x in arts[0].passages] == passages


def test_ingest_jsonl_with_a_bad_line(tmp_path):
    good = {"title": "Grab results", "source": "Wire", "date": "2024-05-01", "url": "https://example.com/a",
            "text": "Grab posted revenue of $600 million."}
    p = write(tmp_path, "n.jsonl", json.dumps(good) + "\n{not json\n" + json.dumps({**good, "title": "Two"}) + "\n")
    arts, rep = read_inputs([p])
    assert [a.title for a in arts] == ["Grab results", "Two"]
    assert arts[0].url == "https://example.com/a" and arts[0].date == "2024-05-01"
    assert len(rep.errors) == 1 and rep.errors[0].startswith(f"{p}:2: not valid JSON")


def test_ingest_directory_recursive_and_skipped(tmp_path):
    write(tmp_path, "one.txt", "Title one\n\nBody one.")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "two.md", "# Title two\n\nBody two.")
    write(tmp_path / "sub", "image.png", b"\x89PNG\r\n")
    arts, rep = read_inputs([tmp_path])
    assert sorted(a.title for a in arts) == ["Title one", "Title two"]
    assert rep.skipped == [str(tmp_path / "sub" / "image.png")]


def test_ingest_stdin():
    arts, rep = read_inputs(["-"], stdin=io.BytesIO(DIGEST.encode("utf-8")))
    assert len(arts) == 2 and arts[0].path == "<stdin>"


@pytest.mark.parametrize("name,data,message", [
    ("empty.txt", b"", "file is empty"),
    ("blank.txt", b"  \n\n", "file is empty"),
    ("bin.txt", b"\x00\x01\x02binary", "binary file, not text"),
    ("latin.txt", "Caf\u00e9 news\n".encode("latin-1"), "not UTF-8"),
])
def test_ingest_bad_files_are_reported_and_others_read(tmp_path, name, data, message):
    bad = write(tmp_path, name, data)
    good = write(tmp_path, "good.txt", "Good title\n\nGood body.")
    arts, rep = read_inputs([bad, good])
    assert [a.title for a in arts] == ["Good title"]
    assert len(rep.errors) == 1 and rep.errors[0].startswith(str(bad)) and message in rep.errors[0]
    assert "\n" not in rep.errors[0]


def test_ingest_missing_path(tmp_path):
    arts, rep = read_inputs([tmp_path / "nope.txt"])
    assert arts == [] and rep.errors == [f"{tmp_path / 'nope.txt'}: no such file or directory (check the path, or pass a directory)"]


def test_ingest_unreadable_file(tmp_path):
    target = tmp_path / "dir.txt"
    target.mkdir()  # a directory named like a file cannot be read as one
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "gone")
    arts, rep = read_inputs([link])
    assert arts == [] and "no such file" in rep.errors[0]


@pytest.mark.parametrize("line", ["Example Wire· yesterday 10:00", "Example Wire· 2024-13-45 10:00"])
def test_ingest_broken_source_line_skips_only_that_article(tmp_path, line):
    text = DIGEST.replace("Other Source· 2024-03-06 10:00", line)
    p = write(tmp_path, "d.txt", text)
    arts, rep = read_inputs([p])
    assert [a.title for a in arts] == ["Zalora 扩张东南亚市场"]
    assert len(rep.errors) == 1 and rep.errors[0].startswith(f"{p}:7: ")
    assert "Source· YYYY-MM-DD HH:MM" in rep.errors[0]


bullet_text = st.text(alphabet=st.sampled_from("abcxyzABCXYZ0189 ,;:'\"%$()小红书推客é"), min_size=1, max_size=60).map(
    lambda s: " ".join(s.split())).filter(lambda s: s.strip(" .;,:") != "" and s[0] not in ".,;:!?)")


@settings(max_examples=200, deadline=None)
@given(heading=st.sampled_from(["Core Insights", "Group 1: Strategy", "Market Position"]),
       bullets=st.lists(bullet_text, min_size=1, max_size=5),
       cites=st.lists(st.lists(st.integers(1, 99), min_size=1, max_size=3), min_size=5, max_size=5))
def test_ingest_bullets_roundtrip(heading, bullets, cites):
    """Any bullets written in the digest format come back as passages, citations removed, with
    offsets that point at exactly their text in the line."""
    parts = [f"{b} " + "".join(f"[{n}]" for n in c) for b, c in zip(bullets, cites)]
    line = heading + " - " + " - ".join(parts)
    passages, section = bullet_passages(line, 0)
    assert [p.text for p in passages] == [b.strip() for b in bullets]
    assert section == heading
    for p in passages:
        s, e = p.raw_span(0, len(p.text))
        assert line[s:e] == p.text


# --- encodings, line ends, invisible characters, long paragraphs (issue 12 items 5 and 8) ---------

@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab c\r\n\u00e9\u5c0f\ufeff"), max_size=60), st.booleans())
def test_ingest_file_text_maps_back_to_the_file(body, bom):
    """Every character of the decoded text is found at ``to_file(i)`` in the file as written."""
    from kg.ingest.readers import _file_text

    raw = ("\ufeff" if bom else "") + body
    text = _file_text(raw)
    assert "\r" not in text and len(text) == len(raw) - raw.count("\r\n") - raw.startswith("\ufeff")
    for i, ch in enumerate(text):
        j = text.to_file(i)
        assert raw[j] == ch or (ch == "\n" and raw[j] == "\r")


_NAMES = st.text(alphabet=st.sampled_from("ab C.\u200b\u202e\u202c\u00ad\u0301e\u00e9\u5c0f"), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(_NAMES)
def test_ingest_passage_normalised_for_the_model_verbatim_for_evidence(middle):
    import unicodedata

    from kg.ingest.text import INVISIBLE, paragraph_passages

    line = "Xo " + middle + " yo."
    (p,) = paragraph_passages(line, 0)
    assert not INVISIBLE.search(p.text)
    if not any(INVISIBLE.match(a) and unicodedata.combining(b) for a, b in zip(middle, middle[1:])):
        assert unicodedata.is_normalized("NFC", p.text)  # (a mark after an invisible stays apart)
    assert p.verbatim(0, len(p.text)) == line
    s, e = p.raw_span(0, len(p.text))
    assert line[s:e] == line


def test_ingest_names_lose_invisible_characters(tmp_path):
    p = write(tmp_path, "n.md", "# \u202eTik\u200bTok\u202c news\n\nCafe\u0301 owner Tik\u200bTok Shop grew.\n")
    (a,), rep = read_inputs([p])
    assert a.title == "TikTok news" and a.passages[0].text == "Caf\u00e9 owner TikTok Shop grew."
    assert a.passages[0].verbatim(0, len(a.passages[0].text)) == "Cafe\u0301 owner Tik\u200bTok Shop grew."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_ingest_utf16_and_32_with_bom(tmp_path, encoding):
    p = write(tmp_path, "u.txt", ("\ufeffT\u00edtulo\r\n\r\nAlibaba bought Lazada.\r\n").encode(encoding))
    (a,), rep = read_inputs([p])
    assert rep.errors == [] and a.title == "T\u00edtulo"
    s, e = a.passages[0].raw_span(0, len(a.passages[0].text))
    assert p.read_bytes().decode(encoding)[s:e] == "Alibaba bought Lazada."


def test_ingest_utf16_without_bom_says_so(tmp_path):
    p = write(tmp_path, "u.txt", "Title\n\nBody text here.\n".encode("utf-16-le"))
    _, rep = read_inputs([p])
    assert len(rep.errors) == 1 and "UTF-16 without a byte-order mark" in rep.errors[0]


def test_ingest_long_paragraph_split_offsets_kept(tmp_path):
    from kg.ingest.text import MAX_PASSAGE_CHARS

    sentence = "Shop number {} opened a warehouse in Manila. "
    body = "".join(sentence.format(i) for i in range(3 * MAX_PASSAGE_CHARS // 40)).strip()
    p = write(tmp_path, "long.txt", "Title\r\n\r\n" + body + "\r\n")
    raw = p.read_bytes().decode("utf-8")
    (a,), _ = read_inputs([p])
    assert len(a.passages) >= 3 and all(len(x.text) <= MAX_PASSAGE_CHARS for x in a.passages)
    assert all(x.text.endswith("Manila.") and x.text.startswith("Shop number") for x in a.passages)
    assert " ".join(x.text for x in a.passages) == body
    for x in a.passages:
        s, e = x.raw_span(0, len(x.text))
        assert raw[s:e] == x.text


@pytest.mark.parametrize("field,value,kind", [("title", ["a"], "a list"), ("source", {"a": 1}, "an object"),
                                              ("date", True, "a boolean")])
def test_ingest_jsonl_fields_must_be_strings(tmp_path, field, value, kind):
    p = write(tmp_path, "n.jsonl", json.dumps({"title": "T", "text": "Body.", field: value}) + "\n")
    arts, rep = read_inputs([p])
    assert arts == [] and rep.errors == [f"{p}:1: '{field}' is {kind}, not a string; line skipped "
                                         f"(write \"{field}\": \"...\")"]


def test_ingest_special_files_and_symlink_loops_never_opened(tmp_path):
    import os

    (tmp_path / "news").mkdir()
    d = write(tmp_path, "news/good.txt", "Good title\n\nGood body.").parent
    os.mkfifo(d / "pipe.md")
    (d / "loop.txt").symlink_to(d / "loop.txt")
    (d / "up").symlink_to(tmp_path)  # a directory symlink is not followed (no cycles)
    arts, rep = read_inputs([d, "/dev/null"])
    assert [a.title for a in arts] == ["Good title"]
    assert rep.errors == ["/dev/null: a character device, not a regular file; skipped (give files or directories of news)"]
    assert rep.warnings == [f"{d / 'loop.txt'}: cannot read (Too many levels of symbolic links); skipped",
                            f"{d / 'pipe.md'}: a FIFO, not a regular file; skipped"]
