"""`kg build` against hostile or careless inputs (issue 12, items 4, 5, 7, 8, 10): every case ends
within its limit, with one line per problem, no traceback, and the other inputs still built."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from kg.cli import cli
from kg.ingest import read_inputs

from conftest import REPO

PKG = "https://w3id.org/platform-kg/ontology#"
GOOD = "Alibaba deal\n\nAlibaba acquired Lazada in 2016.\n\nTencent invested in JD.com in 2014.\n"
KG = Path(sys.executable).with_name("kg")
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def build(args, runner=None):
    res = (runner or CliRunner()).invoke(cli, ["build", *map(str, args), "--no-html", "--no-validate"])
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.output
    return res


def evidence(graph_path: Path) -> list[tuple[str, int, int]]:
    g = Graph().parse(graph_path)
    out = []
    for node, text in g.subject_objects(URIRef(PKG + "evidence")):
        start = g.value(node, URIRef(PKG + "evidenceStart"))
        end = g.value(node, URIRef(PKG + "evidenceEnd"))
        out.append((str(text), -1 if start is None else int(start), -1 if end is None else int(end)))
    return out


# --- item 4: FIFOs ------------------------------------------------------------------------------


def test_build_fifo_in_directory_and_named_never_hang(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    (news / "good.txt").write_text(GOOD, encoding="utf-8")
    os.mkfifo(news / "pipe.txt")
    named = tmp_path / "named.md"
    os.mkfifo(named)
    res = subprocess.run([str(KG), "build", str(news), str(named), "-o", str(tmp_path / "out"), "--no-html", "-q"],
                         capture_output=True, text=True, env=ENV, timeout=240, stdin=subprocess.DEVNULL)
    lines = res.stderr.splitlines()
    assert "Traceback" not in res.stderr
    assert f"Warning: {news / 'pipe.txt'}: a FIFO, not a regular file; skipped" in lines
    assert any(ln.startswith(f"Error: {named}: a FIFO, not a regular file") for ln in lines), res.stderr
    assert res.returncode == 1  # a named input that cannot be read is an error
    assert (tmp_path / "out" / "graph.ttl").stat().st_size > 0  # the rest was built


# --- item 5: long paragraph, lone surrogate, deep directories, a directory removed mid-scan -------


@pytest.mark.parametrize("shape", ["paragraph", "one line", "jsonl title"])
def test_build_paragraph_over_a_million_characters(tmp_path, shape):
    # 1,001,000 characters in one paragraph; long words keep the token count (and the time) low
    filler = ("Lorem" + "x" * 994 + " ") * 1_001
    sentence = "Alibaba acquired Lazada in 2016."
    if shape == "jsonl title":
        f = tmp_path / "long.jsonl"
        text = json.dumps({"title": filler, "text": filler + sentence}) + "\n"
    else:
        f = tmp_path / "long.txt"
        text = ("Long news\n\n" if shape == "paragraph" else "") + filler + sentence + "\n"
    f.write_text(text, encoding="utf-8")
    res = build([f, "-o", tmp_path / "out"])
    assert res.exit_code == 0, res.output
    ev = [e for e in evidence(tmp_path / "out" / "graph.ttl") if "Lazada" in e[0]]
    assert ev and all(t.endswith(sentence) for t, _, _ in ev)
    if shape != "jsonl title":
        assert all(text[s:e] == t for t, s, e in ev)


def test_build_jsonl_lone_surrogate(tmp_path):
    f = tmp_path / "news.jsonl"
    f.write_text(json.dumps({"title": "Bad \ud800 title", "text": "Alibaba acquired Lazada in 2016 \udfff."}) + "\n",
                 encoding="utf-8")  # json.dumps writes the escapes, as a careless exporter would
    res = build([f, "-o", tmp_path / "out"])
    assert res.exit_code == 0, res.output
    assert f"Warning: {f}:1: lone surrogate escape" in res.output
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert Literal("Bad \ufffd title") in set(g.objects())


def test_build_1500_nested_directories():
    # not under tmp_path: pytest's clean-up (shutil.rmtree) would hit the RecursionError itself
    import tempfile

    deep = Path(tempfile.mkdtemp(prefix="kg-deep-"))
    try:
        d = deep
        for _ in range(1500):
            d = d / "d"
            d.mkdir()
        (d / "news.txt").write_text(GOOD, encoding="utf-8")
        arts, rep = read_inputs([deep])
        assert [a.title for a in arts] == ["Alibaba deal"] and rep.errors == []
    finally:
        _remove_chain(deep)


def _remove_chain(root: Path) -> None:
    """Remove a chain of single nested directories bottom-up, without recursion."""
    path = root
    while True:
        subdirs = []
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                subdirs.append(child)
            else:
                child.unlink()
        if not subdirs:
            break
        path = subdirs[0]
    while path != root.parent:
        path.rmdir()
        path = path.parent


def test_build_directory_removed_during_the_scan(tmp_path):
    import shutil

    root = tmp_path / "news"
    for sub in ("a", "b", "c"):
        (root / sub).mkdir(parents=True)
        (root / sub / "n.txt").write_text(GOOD.replace("Alibaba deal", f"Deal {sub}"), encoding="utf-8")

    def remove_b(_n):  # called after each file read: b/ goes after a/ was read
        shutil.rmtree(root / "b", ignore_errors=True)

    arts, rep = read_inputs([root], progress=remove_b)
    assert [a.title for a in arts] == ["Deal a", "Deal c"]
    assert len(rep.errors) == 1 and rep.errors[0].startswith(f"{root / 'b'}: cannot list directory")


# --- item 7: progress when not on a terminal ------------------------------------------------------


def test_build_20000_small_files_prints_progress_lines(tmp_path):
    news = tmp_path / "news"
    news.mkdir()
    for i in range(20_000):
        (news / f"{i:05d}.txt").write_text(f"Note {i}\n\nShop {i} opened.\n", encoding="utf-8")
    env = {**ENV, "KG_PROGRESS_INTERVAL": "2"}
    proc = subprocess.Popen([str(KG), "build", str(news), "-o", str(tmp_path / "out")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL)
    lines = []
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if sum("extracting: " in ln for ln in lines) >= 2:
                break
    finally:
        proc.kill()
        proc.wait()
    assert len(lines) >= 2, lines
    assert all(ln.startswith("kg build: ") and ln.endswith(" s") and "\r" not in ln for ln in lines), lines
    done = [int(ln.split(": ")[2].split("/")[0].replace(",", "")) for ln in lines if "extracting: " in ln]
    assert len(done) >= 2 and done == sorted(done), lines
    assert all("/20,000 passages (" in ln for ln in lines if "extracting: " in ln), lines


# --- item 8: offsets, encodings, names, JSONL fields --------------------------------------------


@pytest.mark.parametrize("encoding,newline,bom", [
    ("utf-8", "\r\n", False), ("utf-8", "\n", True), ("utf-8", "\r\n", True),
    ("utf-16-le", "\r\n", True), ("utf-16-be", "\n", True), ("utf-8", "\r", False),
])
def test_build_offsets_exact_for_crlf_bom_utf16(tmp_path, encoding, newline, bom):
    text = ("\ufeff" if bom else "") + GOOD.replace("\n", newline)
    f = tmp_path / "news.txt"
    f.write_bytes(text.encode(encoding))
    res = build([f, "-o", tmp_path / "out"])
    assert res.exit_code == 0, res.output
    file_text = f.read_bytes().decode(encoding)  # the file as written: BOM and CRs included
    ev = evidence(tmp_path / "out" / "graph.ttl")
    assert {t for t, _, _ in ev} == {"Alibaba acquired Lazada in 2016.", "Tencent invested in JD.com in 2014."}
    for t, s, e in ev:
        assert file_text[s:e] == t


def test_build_invisible_characters_and_nfc_in_names(tmp_path):
    raw = ("Ali\u200bbaba news\n\n\u202eAli\u200bbaba\u202c acquired La\u00adzada in 2016.\n\n"
           "Tencent invested in JD.com in 2014.\n")
    f = tmp_path / "news.txt"
    f.write_text("\ufeff" + raw, encoding="utf-8")
    res = build([f, "-o", tmp_path / "out"])
    assert res.exit_code == 0, res.output
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    invisible = set("\u200b\u202e\u202c\u00ad\ufeff")
    labels = [str(o) for o in g.objects(None, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))]
    assert "Alibaba Group" in labels and "Lazada" in labels  # recognised through the invisible characters
    assert not any(invisible & set(x) for x in labels + [str(s) for s in g.all_nodes() if isinstance(s, URIRef)])
    file_text = f.read_text(encoding="utf-8")  # 'utf-8' keeps the BOM as the character at 0
    ev = {t: (s, e) for t, s, e in evidence(tmp_path / "out" / "graph.ttl")}
    sentence = "\u202eAli\u200bbaba\u202c acquired La\u00adzada in 2016."
    assert sentence in ev  # evidence verbatim
    s, e = ev[sentence]
    assert file_text[s:e] == sentence


@pytest.mark.parametrize("title,kind", [(["a", "list"], "a list"), ({"en": "x"}, "an object")])
def test_build_jsonl_title_not_a_string(tmp_path, title, kind):
    f = tmp_path / "news.jsonl"
    f.write_text(json.dumps({"title": "Fine", "text": "Alibaba acquired Lazada in 2016."}) + "\n"
                 + json.dumps({"title": title, "text": "Tencent invested in JD.com in 2014."}) + "\n",
                 encoding="utf-8")
    res = build([f, "-o", tmp_path / "out"])
    assert res.exit_code == 1
    errors = [ln for ln in res.output.splitlines() if ln.startswith("Error:")]
    assert errors == [f"Error: {f}:2: 'title' is {kind}, not a string; line skipped (write \"title\": \"...\")"]
    g = Graph().parse(tmp_path / "out" / "graph.ttl")
    assert "['a', 'list']" not in g.serialize(format="nt") and Literal("Fine") in set(g.objects())


# --- item 10: interrupted writes ------------------------------------------------------------------


def test_build_cleans_leftovers_of_a_killed_build(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = [out / ".graph.ttl.abc123_x.tmp", out / f".graph.html.kg{dead.stdout.strip()}-q1w2e3.tmp"]
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        running = out / f".graph.ttl.kg{sleeper.pid}-r4t5y6.tmp"  # another build still writing
        for p in [*stale, running]:
            p.write_text("half a graph", encoding="utf-8")
        f = tmp_path / "news.txt"
        f.write_text(GOOD, encoding="utf-8")
        res = CliRunner().invoke(cli, ["build", str(f), "-o", str(out), "--no-validate"])
        assert res.exit_code == 0, res.output
        assert sorted(p.name for p in out.iterdir()) == sorted(["graph.ttl", "graph.html", running.name])
    finally:
        sleeper.kill()
        sleeper.wait()


def test_build_replaces_graph_and_page_together(tmp_path):
    out = tmp_path / "out"
    (out / "graph.html").mkdir(parents=True)  # the page cannot be replaced: a directory is in the way
    (out / "graph.html" / "x").write_text("x", encoding="utf-8")
    (out / "graph.ttl").write_text("# previous graph\n", encoding="utf-8")
    f = tmp_path / "news.txt"
    f.write_text(GOOD, encoding="utf-8")
    res = CliRunner().invoke(cli, ["build", str(f), "-o", str(out), "--no-validate"])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert [ln for ln in res.output.splitlines() if ln.startswith("Error:")] == [
        ln for ln in res.output.splitlines() if "graph.html" in ln and "previous files are unchanged" in ln]
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "# previous graph\n"
    assert sorted(p.name for p in out.iterdir()) == ["graph.html", "graph.ttl"]
