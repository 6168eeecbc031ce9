"""Readers: one per input format, each yielding :class:`Article` objects.

* digest: the news-digest format (page header lines, title line, ``Source· YYYY-MM-DD HH:MM``,
  ``Section - bullet [n][m] - bullet`` body lines);
* plain ``.txt`` / ``.md`` articles (first line is the title);
* ``.md`` articles with YAML front matter (``title``, ``date``, ``source``, ``url``);
* JSON Lines (``title``, ``source``, ``date``, ``url``, ``text`` per line).

Bad input never stops the other inputs: each problem becomes an :class:`InputError` with file and
line, collected in the :class:`IngestReport`.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest.article import Article, IngestReport, Passage
from kg.ingest.text import bullet_passages, paragraph_passages
from kg.resolve.iri import digest

SUPPORTED = {".txt": "text", ".md": "text", ".markdown": "text", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_DOT = "\u00b7\u2022\u30fb"
SOURCE_LINE = re.compile(
    rf"^(?P<source>[^{_DOT}\n]{{1,120}}?)\s*[{_DOT}]\s*(?P<date>\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:[ T](?P<time>\d{1,2}:\d{2})(?::\d{2})?)?\s*$"
)
# Anything shaped like a source line (short, one middle dot, something after it).
LOOSE_SOURCE_LINE = re.compile(rf"^[^{_DOT}\n]{{1,120}}[{_DOT}]\s*\S.{{0,40}}$")


def article_id(title: str, source: str, date: str, text: str) -> str:
    return digest(title.strip(), source.strip(), date.strip(), text.strip()[:2000], length=12)


def _check_date(date: str, time: str | None) -> str:
    dt.date.fromisoformat(date)  # raises ValueError on 2025-13-45
    if time:
        hh, mm = time.split(":")
        if not (0 <= int(hh) < 24 and 0 <= int(mm) < 60):
            raise ValueError(time)
        return f"{date}T{int(hh):02d}:{mm}"
    return date


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a file, or an InputError that says why not."""
    if not data.strip():
        raise InputError(path, "file is empty", hint="give it at least a title line")
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file, not text", hint="give UTF-8 text, Markdown or JSON Lines")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", line=line,
                         hint="re-save the file as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_digest(text: str) -> bool:
    return any(SOURCE_LINE.match(ln) for ln in text.split("\n", 400)[1:400])


def read_digest(text: str, path: str, report: IngestReport) -> Iterator[Article]:
    """Articles of a digest: every source line, with the line before it as the title."""
    lines = text.split("\n")
    starts: list[int] = []  # raw offset of each line
    pos = 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    # source lines, valid or broken
    heads: list[tuple[int, re.Match | None]] = []
    for i, ln in enumerate(lines):
        if i == 0:
            continue
        m = SOURCE_LINE.match(ln)
        if m or (LOOSE_SOURCE_LINE.match(ln) and lines[i - 1].strip() and len(lines[i - 1]) < 300):
            heads.append((i, m))
    for k, (i, m) in enumerate(heads):
        end = heads[k + 1][0] - 1 if k + 1 < len(heads) else len(lines)
        title = lines[i - 1].strip()
        if m is None:
            report.errors.append(str(InputError(
                path, f"broken source line {lines[i].strip()!r}; article {title!r} skipped", line=i + 1,
                hint="expected 'Source· YYYY-MM-DD HH:MM'")))
            continue
        try:
            date = _check_date(m["date"], m["time"])
        except ValueError:
            report.errors.append(str(InputError(
                path, f"impossible date in source line {lines[i].strip()!r}; article {title!r} skipped",
                line=i + 1, hint="expected 'Source· YYYY-MM-DD HH:MM'")))
            continue
        passages: list[Passage] = []
        section = ""
        for j in range(i + 1, end):
            if lines[j].strip():
                ps, section = bullet_passages(lines[j], starts[j], section)
                passages.extend(ps)
        body = "\n".join(p.text for p in passages)
        yield Article(
            id=article_id(title, m["source"], date, body), title=title, source=m["source"].strip(),
            date=date, path=path, line=i, passages=passages,
        )


def read_text(text: str, path: str, report: IngestReport) -> Iterator[Article]:
    """A plain article: first non-empty line is the title (a leading '#' is dropped)."""
    lines = text.split("\n")
    idx = next(i for i, ln in enumerate(lines) if ln.strip())
    title = lines[idx].strip().lstrip("#").strip()
    body_start = sum(len(ln) + 1 for ln in lines[: idx + 1])
    passages = paragraph_passages(text[body_start:], body_start)
    body = "\n".join(p.text for p in passages)
    yield Article(id=article_id(title, "", "", body), title=title, path=path, line=idx + 1, passages=passages)


_FRONT_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")


def read_front_matter(text: str, path: str, report: IngestReport) -> Iterator[Article]:
    """A Markdown article opening with YAML front matter (``---`` ... ``---``): ``title``, ``date``,
    ``source`` and ``url`` come from there (flat ``key: value`` lines, values optionally quoted; other keys
    are ignored), the body after it is read like a plain article whose first line is not the title.
    """
    lines = text.split("\n")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise InputError(path, "front matter opened with '---' is never closed", line=1,
                         hint="end it with a line holding only ---")
    meta, at = {}, {}
    for n in range(1, end):
        line = lines[n]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _FRONT_KEY.match(line)
        if not m:
            raise InputError(path, f"front matter line is not 'key: value' ({line.strip()[:40]!r})", line=n + 1,
                             hint="write e.g. title: My headline")
        value = m["value"]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta[m["key"].lower()] = value.strip()
        at[m["key"].lower()] = n + 1
    body_start = sum(len(ln) + 1 for ln in lines[: end + 1])
    passages = paragraph_passages(text[body_start:], body_start)
    if not meta.get("title") and not passages:
        raise InputError(path, "front matter has no 'title' and there is no text after it", line=1)
    date = meta.get("date", "")
    if date:
        try:
            date = _normalise_date(date)
        except ValueError:
            report.errors.append(str(InputError(path, f"unreadable date {date!r}; date left empty",
                                                line=at["date"], hint="use YYYY-MM-DD")))
            date = ""
    title = meta.get("title") or passages[0].text[:80]
    source = meta.get("source", "")
    body = "\n".join(p.text for p in passages)
    yield Article(id=article_id(title, source, date, body), title=title, source=source, date=date,
                  url=meta.get("url", ""), path=path, line=1, passages=passages)


def read_jsonl(text: str, path: str, report: IngestReport) -> Iterator[Article]:
    """One JSON object per line; a bad line is reported and skipped, the rest are read."""
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            report.errors.append(str(InputError(path, f"not valid JSON ({e.msg}, column {e.colno}); line skipped",
                                                line=n, hint="one JSON object per line")))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text", ""), str):
            report.errors.append(str(InputError(path, "expected a JSON object with a string 'text'; line skipped",
                                                line=n)))
            continue
        body_text = rec.get("text") or ""
        title = str(rec.get("title") or "").strip()
        if not title and not body_text.strip():
            report.errors.append(str(InputError(path, "record has neither 'title' nor 'text'; line skipped", line=n)))
            continue
        date = str(rec.get("date") or "").strip()
        if date:
            try:
                date = _normalise_date(date)
            except ValueError:
                report.errors.append(str(InputError(path, f"unreadable date {date!r}; date left empty", line=n,
                                                    hint="use YYYY-MM-DD")))
                date = ""
        passages = paragraph_passages(body_text, None)
        source = str(rec.get("source") or "").strip()
        body = "\n".join(p.text for p in passages)
        yield Article(id=article_id(title, source, date, body), title=title or passages[0].text[:80],
                      source=source, date=date, url=str(rec.get("url") or ""), path=path, line=n,
                      passages=passages)


def _normalise_date(value: str) -> str:
    value = value.strip().replace("Z", "+00:00")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        dt.date.fromisoformat(value)
        return value
    stamp = dt.datetime.fromisoformat(value)
    return stamp.strftime("%Y-%m-%dT%H:%M")


def read_source(data: bytes, path: str, kind: str | None, report: IngestReport) -> list[Article]:
    """Read one file's bytes (or stdin's) as the given kind, sniffing when kind is None."""
    text = decode(data, path)
    if kind == "jsonl" or (kind is None and text.lstrip().startswith("{")):
        arts = list(read_jsonl(text, path, report))
    elif text.lstrip("\ufeff").startswith("---\n") or text.startswith("---\r\n"):
        arts = list(read_front_matter(text.replace("\r\n", "\n"), path, report))
    elif is_digest(text):
        arts = list(read_digest(text, path, report))
    else:
        arts = list(read_text(text, path, report))
    return arts


def iter_files(path: Path, report: IngestReport) -> Iterator[tuple[Path, str]]:
    """Files under a path with their kind; unsupported files are listed in ``report.skipped``."""
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_dir() or any(part.startswith(".") for part in p.relative_to(path).parts):
                continue
            kind = SUPPORTED.get(p.suffix.lower())
            if kind is None:
                report.skipped.append(str(p))
            else:
                yield p, kind
    else:
        yield path, SUPPORTED.get(path.suffix.lower(), "text")


def read_inputs(inputs: list[str | Path], stdin=None) -> tuple[list[Article], IngestReport]:
    """Read every input (files, directories, ``-`` for stdin) into articles.

    Returns all articles that could be read plus a report of skipped files and errors; an error
    in one input never stops the others. Articles read twice (same id) are kept once.
    """
    report = IngestReport()
    articles: list[Article] = []
    seen: set[str] = set()

    def add(arts: list[Article]) -> None:
        for a in arts:
            if a.id not in seen:
                seen.add(a.id)
                articles.append(a)

    for item in inputs:
        if str(item) == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            try:
                add(read_source(stream.read(), "<stdin>", None, report))
            except InputError as e:
                report.errors.append(str(e))
            continue
        path = Path(item)
        if not path.exists():
            report.errors.append(str(InputError(str(path), "no such file or directory",
                                                hint="check the path, or pass a directory")))
            continue
        for file, kind in iter_files(path, report):
            try:
                data = file.read_bytes()
            except OSError as e:
                report.errors.append(str(InputError(str(file), f"cannot read ({e.strerror})")))
                continue
            try:
                add(read_source(data, str(file), None if kind == "text" else kind, report))
            except InputError as e:
                report.errors.append(str(e))
    return articles, report
