"""N-Quads written as a stream (kg.rdf.nquads): lines sorted on disk in runs, merged once each."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from kg.rdf.nquads import SortedLines, quad_lines

lines = st.lists(st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=12),
                 max_size=80)


@settings(deadline=None, max_examples=60)
@given(st.lists(lines, max_size=6), st.integers(1, 30))
def test_sorted_lines_merge_runs_into_the_sorted_set(tmp_path_factory, batches, run_lines):
    """Whatever the run size, the file is the text's sorted lines without duplicates, as
    ``kg export -f nq`` sorts them (str order: UTF-8 bytes sort in code point order)."""
    tmp = tmp_path_factory.mktemp("runs")
    out = SortedLines(tmp, run_lines=run_lines)
    for batch in batches:
        out.add(line.encode("utf-8") for line in batch)
    path = out.write(tmp / "out.nq")
    expected = sorted({line for batch in batches for line in batch})
    assert path.read_bytes() == "".join(line + "\n" for line in expected).encode("utf-8")
    assert sorted(p.name for p in tmp.iterdir()) == ["out.nq"]  # the runs are gone


def test_quad_lines_name_the_graph_and_escape_controls():
    g = Graph()
    g.add((URIRef("http://x/s"), URIRef("http://x/p"), Literal("a\x01b\nc")))
    assert list(quad_lines(g, URIRef("http://x/g"))) == [b'<http://x/s> <http://x/p> "a\\u0001b\\nc" <http://x/g> .']
    assert list(quad_lines(g)) == [b'<http://x/s> <http://x/p> "a\\u0001b\\nc"  .']
