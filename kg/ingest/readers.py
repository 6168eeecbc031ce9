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

import bisect
import datetime as dt
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ingest.article import Article, IngestReport, Passage
from kg.ingest.text import bullet_passages, normalise_name_text, paragraph_passages
from kg.resolve.iri import digest

SUPPORTED = {".txt": "text", ".md": "text", ".markdown": "text", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_DOT = "\u00b7\u2022\u30fb"
SOURCE_LINE = re.compile(
    rf"^(?P<source>[^{_DOT}\n]{{1,120}}?)\s*[{_DOT}]\s*(?P<date>\d{{4}}-\d{{2}}-\d{{2}})"
    r"(?:[ T](?P<time>\d{1,2}:\d{2})(?::\d{2})?)?\s*$"
)
# Anything shaped like a source line (short, one middle dot, something after it).
LOOSE_SOURCE_LINE = re.compile(rf"^[^{_DOT}\n]{{1,120}}[{_DOT}]\s*\S.{{0,40}}$")


# A longer first line is not a title but a paragraph (a file of one huge line): the title is its
# opening words and, for plain text, the line is body text too.
TITLE_MAX = 300


def short_title(text: str) -> str:
    """``text`` (normalised) cut to at most TITLE_MAX characters at a word end, with an ellipsis."""
    text = normalise_name_text(text[: TITLE_MAX * 4])
    if len(text) <= TITLE_MAX:
        return text
    cut = text[: TITLE_MAX - 1]
    if " " in cut[TITLE_MAX // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "\u2026"


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


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


class FileText(str):
    """Decoded text with line ends made ``\n`` and the BOM dropped, plus the way back: ``to_file(i)``
    is the offset in the file as written (its code points, BOM and CRs included) of position ``i``.
    Only deletions happen (a BOM, the CR of CRLF), so the map is the sorted positions after which
    one more character was dropped."""

    cuts: list[int]

    def to_file(self, i: int) -> int:
        return i + bisect.bisect_right(self.cuts, i)


def _file_text(raw: str) -> FileText:
    cuts: list[int] = []
    dropped = 0
    if raw.startswith("\ufeff"):
        cuts.append(0)
        dropped = 1
    if "\r" in raw:
        out = []
        pos = dropped
        for m in re.finditer("\r\n?", raw):
            out.append(raw[pos:m.start()])
            if m.end() - m.start() == 2:  # CRLF: the LF stays, the CR goes
                cuts.append(m.start() - dropped)
                dropped += 1
            out.append("\n")
            pos = m.end()
        out.append(raw[pos:])
        text = FileText("".join(out))
    else:
        text = FileText(raw[dropped:])
    text.cuts = cuts
    return text


def decode(data: bytes, path: str) -> FileText:
    """The text of a file: UTF-8 (BOM or not), or UTF-16/32 with a BOM; an InputError says why not.

    Offsets the graph records (``pkg:evidenceStart``) count code points of the file as written:
    a BOM is the character at 0 and CRLF is two characters (``open(path, encoding=ENC,
    newline="")`` with ENC ``utf-8``, ``utf-16-le``... reads the same text).
    """
    if not data.strip():
        raise InputError(path, "file is empty", hint="give it at least a title line")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                raw = data.decode(encoding)
            except UnicodeDecodeError:
                raw = ""
            # a text file has line breaks or spaces; random bytes after FF FE rarely decode to any
            if raw[1:].strip() and "\x00" not in raw and re.search(r"[\s]", raw[1:].strip()):
                return _file_text(raw)
            raise InputError(path, "binary file, not text", hint="give UTF-8 text, Markdown or JSON Lines")
    if b"\x00" in data[:8192]:
        hint = "give UTF-8 text, Markdown or JSON Lines"
        if data[1:8192:2].count(0) > len(data[1:8192:2]) * 0.4 or data[0:8192:2].count(0) > len(data[0:8192:2]) * 0.4:
            hint = "this looks like UTF-16 without a byte-order mark; re-save it as UTF-8"
        raise InputError(path, "binary file, not text", hint=hint)
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 (byte 0x{data[e.start]:02x} at offset {e.start})", line=line,
                         hint="re-save the file as UTF-8") from None
    return _file_text(raw)


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
        title = short_title(lines[i - 1])
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
            id=article_id(title, m["source"], date, body), title=title, source=normalise_name_text(m["source"]),
            date=date, path=path, line=i, passages=passages,
        )


def read_text(text: str, path: str, report: IngestReport) -> Iterator[Article]:
    """A plain article: first non-empty line is the title (a leading '#' is dropped)."""
    lines = text.split("\n")
    idx = next(i for i, ln in enumerate(lines) if ln.strip())
    title = short_title(lines[idx].strip().lstrip("#"))
    body_start = sum(len(ln) + 1 for ln in lines[: idx + (len(lines[idx]) <= TITLE_MAX)])
    passages = paragraph_passages(text[body_start:], body_start)
    body = "\n".join(p.text for p in passages)
    yield Article(id=article_id(title, "", "", body), title=title, path=path, line=idx + 1, passages=passages)


_SURROGATE = re.compile("[\ud800-\udfff]")
_FIELDS = ("title", "source", "date", "url")


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
        except RecursionError:
            report.errors.append(str(InputError(path, "JSON nested too deeply; line skipped", line=n)))
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("text", ""), (str, type(None))):
            report.errors.append(str(InputError(path, "expected a JSON object with a string 'text'; line skipped",
                                                line=n)))
            continue
        wrong = next((k for k in _FIELDS if isinstance(rec.get(k), (list, dict, bool))), None)
        if wrong is not None:
            kind = {list: "a list", dict: "an object", bool: "a boolean"}[type(rec[wrong])]
            report.errors.append(str(InputError(path, f"'{wrong}' is {kind}, not a string; line skipped", line=n,
                                                hint=f'write "{wrong}": "..."')))
            continue
        fields = {k: str(rec.get(k) if rec.get(k) is not None else "") for k in (*_FIELDS, "text")}
        if any(_SURROGATE.search(v) for v in fields.values()):
            # "\ud800" is valid JSON but no valid text: it could not be written out as UTF-8
            report.warnings.append(str(InputError(path, "lone surrogate escape (\\ud800-\\udfff) replaced by U+FFFD",
                                                  line=n)))
            fields = {k: _SURROGATE.sub("\ufffd", v) for k, v in fields.items()}
        body_text = fields["text"]
        title = short_title(fields["title"])
        if not title and not body_text.strip():
            report.errors.append(str(InputError(path, "record has neither 'title' nor 'text'; line skipped", line=n)))
            continue
        date = fields["date"].strip()
        if date:
            try:
                date = _normalise_date(date)
            except ValueError:
                report.errors.append(str(InputError(path, f"unreadable date {date!r}; date left empty", line=n,
                                                    hint="use YYYY-MM-DD")))
                date = ""
        passages = paragraph_passages(body_text, None)
        if not title and not passages:
            report.errors.append(str(InputError(path, "record has neither 'title' nor 'text'; line skipped", line=n)))
            continue
        source = normalise_name_text(fields["source"])
        body = "\n".join(p.text for p in passages)
        yield Article(id=article_id(title, source, date, body), title=title or passages[0].text[:80],
                      source=source, date=date, url=fields["url"].strip(), path=path, line=n, passages=passages)


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
        arts = list(read_front_matter(text, path, report))
    elif is_digest(text):
        arts = list(read_digest(text, path, report))
    else:
        arts = list(read_text(text, path, report))
    if text.cuts:  # offsets so far count the decoded text; the graph records the file's
        for a in arts:
            a.passages = [p.shifted(text.to_file) for p in a.passages]
    return arts


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def iter_files(path: Path, report: IngestReport) -> Iterator[tuple[Path, str]]:
    """Files under a path with their kind, in path order.

    The walk is iterative (any depth), never follows a symlinked directory (no loops) and never
    opens anything but regular files: a FIFO would block the read forever. Files of other kinds
    are listed in ``report.skipped``, special files become warnings, a directory that vanishes
    or cannot be listed during the walk an error; the rest of the walk goes on.
    """
    try:
        st = path.stat()
    except OSError as e:
        report.errors.append(str(InputError(str(path), f"cannot read ({e.strerror})")))
        return
    if not stat.S_ISDIR(st.st_mode):
        if stat.S_ISREG(st.st_mode):
            yield path, SUPPORTED.get(path.suffix.lower(), "text")
        else:
            report.errors.append(str(InputError(str(path), f"{_kind_of(st.st_mode)}, not a regular file; skipped",
                                                hint="give files or directories of news")))
        return
    # depth-first over name-sorted entries: path order (as sorted(rglob) gave) while streaming,
    # so a directory removed while earlier files are read is noticed when its turn comes
    stack = [iter(_entries(path, report))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        p = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.append(iter(_entries(p, report)))
                continue
            mode = entry.stat().st_mode  # follows a symlinked file
        except OSError as e:
            report.warnings.append(str(InputError(str(p), f"cannot read ({e.strerror}); skipped")))
            continue
        if stat.S_ISDIR(mode):
            continue  # a symlink to a directory: not followed
        if not stat.S_ISREG(mode):
            report.warnings.append(str(InputError(str(p), f"{_kind_of(mode)}, not a regular file; skipped")))
            continue
        kind = SUPPORTED.get(p.suffix.lower())
        if kind is None:
            report.skipped.append(str(p))
        else:
            yield p, kind


def _entries(folder: Path, report: IngestReport) -> list[os.DirEntry]:
    """A directory's entries, hidden ones left out, sorted by name; [] and an error if it cannot
    be listed (removed meanwhile, no permission)."""
    try:
        with os.scandir(folder) as it:
            entries = [e for e in it if not e.name.startswith(".")]
    except OSError as e:
        report.errors.append(str(InputError(str(folder), f"cannot list directory ({e.strerror}); skipped",
                                            hint="was it removed or moved during the build?")))
        return []
    entries.sort(key=lambda e: e.name)
    return entries


def read_file(file: Path) -> bytes:
    """A regular file's bytes. Opened non-blocking and checked after opening, so a file swapped
    for a FIFO after the walk cannot hang the read."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(str(file), f"{_kind_of(mode)}, not a regular file; skipped")
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_inputs(inputs: list[str | Path], stdin=None,
                progress: Callable[[int], None] | None = None) -> tuple[list[Article], IngestReport]:
    """Read every input (files, directories, ``-`` for stdin) into articles.

    Returns all articles that could be read plus a report of skipped files and errors; an error
    in one input never stops the others. Articles read twice (same id) are kept once.
    ``progress``, if given, is called with 1 after each file read.
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
                data = read_file(file)
                add(read_source(data, str(file), None if kind == "text" else kind, report))
            except OSError as e:
                report.errors.append(str(InputError(str(file), f"cannot read ({e.strerror})")))
            except InputError as e:
                report.errors.append(str(e))
            if progress is not None:
                progress(1)
    return articles, report
