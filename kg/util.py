"""Small cross-cutting helpers: atomic file writes, resource paths, language tags."""
from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg.errors import OutputError

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def lang_of(text: str) -> str:
    """Language tag for a name: 'zh' when it holds CJK characters, else 'en'."""
    return "zh" if has_cjk(text) else "en"


def package_root() -> Path:
    return Path(__file__).resolve().parent


def ontology_dir() -> Path:
    """The ontology folder: $KG_ONTOLOGY_DIR if set, else ``kg/ontology/``, package data of the wheel.

    The ontology, shapes, context, lexicons and reference entities ship inside the package so that
    ``pip install`` gives a working tool; the variable is for trying an edited copy without reinstalling.
    A variable naming a folder without ``platform.ttl`` is an error, not a silent fall-back.
    """
    env = os.environ.get("KG_ONTOLOGY_DIR")
    path = Path(env) if env else package_root() / "ontology"
    if not (path / "platform.ttl").is_file():
        where = f"KG_ONTOLOGY_DIR={env}" if env else f"the installed package ({path})"
        raise OutputError(f"no platform.ttl in {where}; point KG_ONTOLOGY_DIR at a folder holding one "
                          f"or reinstall platform-kg (pip install .)")
    return path


def _file_mode(path: Path) -> int:
    """The existing file's permissions, else what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


_LEFTOVER_PID = re.compile(r"\.kg(\d+)-")


def _mkstemp(path: Path) -> tuple[int, str]:
    """A temp file beside ``path``, named ``.NAME.kgPID-XXXX.tmp`` so that a later run can tell
    the leftover of a killed writer from the file of a writer still running."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{path.parent}: cannot create output directory ({e.strerror})") from None
    try:
        return tempfile.mkstemp(prefix=f".{path.name}.kg{os.getpid()}-", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror})") from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def remove_leftovers(path: str | Path) -> list[Path]:
    """Delete temp files an interrupted write of ``path`` left behind (``.NAME.*.tmp`` whose
    writer is gone); return them. A temp file of a writer still running is kept."""
    path = Path(path)
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob_escape(path.name)}.*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        m = _LEFTOVER_PID.match(tmp.name[len(path.name) + 1:])
        if m and _alive(int(m.group(1))):  # our own, or a build still running
            continue
        with contextlib.suppress(OSError):
            tmp.unlink()
            removed.append(tmp)
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _finish(fh, tmp: str, path: Path) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    # mkstemp makes the file private (0600); give it the mode a plain open() would have
    os.chmod(tmp, _file_mode(path))


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write ``path`` all-or-nothing: a temp file in the same directory, renamed over it on success.

    If the body raises, the temp file is removed and any previous ``path`` is left untouched.
    """
    path = Path(path)
    kwargs = {"encoding": encoding} if "b" not in mode else {}
    fd, tmp = _mkstemp(path)
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            _finish(fh, tmp, path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def replace_together(contents: dict[Path, str]) -> None:
    """Write several text files as one change. Every file is written and synced to a temp file
    first, then all are renamed in a row; if a rename fails, the ones already renamed are put
    back (from hard links kept of the old files). So a failure leaves every old file in place,
    and only a kill between two renames (microseconds) could mix old and new."""
    staged: list[tuple[str, Path]] = []
    backups: dict[Path, str | None] = {}
    try:
        for path, text in contents.items():
            fd, tmp = _mkstemp(path)
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                _finish(fh, tmp, path)
        for tmp, path in staged:
            backups[path] = _keep_old(path)
        done: list[Path] = []
        try:
            for tmp, path in staged:
                os.replace(tmp, path)
                done.append(path)
        except OSError:
            for path in done:
                with contextlib.suppress(OSError):
                    if backups[path] is None:
                        os.unlink(path)
                    else:
                        os.replace(backups[path], path)
            raise
    except OSError as e:
        raise OutputError(f"{e.filename or next(iter(contents))}: cannot write ({e.strerror}); "
                          "the previous files are unchanged") from None
    finally:
        for tmp in [t for t, _ in staged] + [b for b in backups.values() if b]:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _keep_old(path: Path) -> str | None:
    """A hard link to the current ``path`` (None if there is none), to restore it from."""
    if not path.is_file():
        return None
    fd, bak = _mkstemp(path)
    os.close(fd)
    try:
        os.unlink(bak)
        os.link(path, bak)
    except OSError:  # no hard links here (some network/FUSE file systems): a copy will do
        import shutil

        shutil.copy2(path, bak)
    return bak
