"""Markdown articles with YAML front matter (issue 13.6)."""
from __future__ import annotations

import pytest

from kg.ingest.article import IngestReport
from kg.ingest.readers import read_source


def _read(text: str):
    report = IngestReport()
    return read_source(text.encode(), "a.md", "text", report), report


def test_front_matter_gives_title_date_source_url():
    (art,), report = _read("---\ntitle: \"Meituan: Keeta in Riyadh\"\ndate: 2025-09-01T08:30:00\n"
                           "source: Example Wire\nurl: https://example.org/k\ntags: ignored\n---\n\n"
                           "# Heading\n\nMeituan launched Keeta in Riyadh.\n")
    assert (art.title, art.date, art.source, art.url) == ("Meituan: Keeta in Riyadh", "2025-09-01T08:30",
                                                          "Example Wire", "https://example.org/k")
    assert "---" not in art.text and "Meituan launched Keeta" in art.text and not report.errors


def test_front_matter_without_title_takes_the_first_passage():
    (art,), _ = _read("---\ndate: 2025-01-02\n---\nShopee grew fast.\n")
    assert art.title == "Shopee grew fast." and art.date == "2025-01-02"


def test_front_matter_bad_date_is_reported_with_its_line():
    (art,), report = _read("---\ntitle: T\ndate: next week\n---\nText.\n")
    assert art.date == "" and report.errors == ["a.md:3: unreadable date 'next week'; date left empty (use YYYY-MM-DD)"]


@pytest.mark.parametrize("text, message", [
    ("---\ntitle: T\nText without an end.\n", "a.md:1: front matter opened with '---' is never closed"),
    ("---\ntitle: T\n- a list\n---\nText.\n", "a.md:3: front matter line is not 'key: value'"),
])
def test_front_matter_errors(text, message):
    from kg.errors import InputError

    with pytest.raises(InputError, match=message):
        _read(text)
