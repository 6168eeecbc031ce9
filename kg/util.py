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


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Write ``path`` all-or-nothing: a temp file in the same directory, renamed over it on success.

    If the body raises, the temp file is removed and any previous ``path`` is left untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{path.parent}: cannot create output directory ({e.strerror})") from None
    kwargs = {"encoding": encoding} if "b" not in mode else {}
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({e.strerror})") from None
    try:
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a plain open() would have
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
