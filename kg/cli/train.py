"""``kg train``: retrain the entity typer and the relation classifier from annotated articles."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli.options import model_option


@click.command("train")
@click.option("--gold", "folders", multiple=True, required=True, type=click.Path(file_okay=False),
              help="A folder with articles.txt (or .jsonl/.md articles) and gold.json; repeat for more.")
@click.option("-o", "--output", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Where to write relations.json and entity_types.json (default: the shipped models' folder).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20),
              help="Grouped cross-validation folds (by article).")
@click.option("--seed", default=0, show_default=True, type=int, help="Fold assignment and solver seed.")
@click.option("--c", "c", default=None, type=float, help="Inverse L2 strength of the relation models.")
@click.option("--threshold", default=0.5, show_default=True, type=click.FloatRange(0.0, 1.0),
              help="Calibrated probability a candidate needs to become a fact.")
@click.option("--json", "as_json", is_flag=True, help="Print the cross-validation figures as JSON.")
@model_option
def train(folders, out_dir, folds, seed, c, threshold, as_json, model):
    """Train the extractor's models on annotated articles and print grouped cross-validation figures.

    Each gold folder follows the annotation guidelines and the gold schema of docs/data-model.md.
    The models are plain JSON files; `kg build` uses the shipped ones (kg/extract/models/) unless
    KG_RELATION_MODEL / KG_TYPER_MODEL name others.

    \b
    Example:
        kg train --gold train/china --gold train/seasia --gold train/west --gold train/world
        kg train --gold train/china --gold my-annotated-news -o my-models/
    """
    from kg.extract.classifier import DEFAULT_MODEL
    from kg.extract.pipeline import load_pipeline
    from kg.train import DEFAULT_C, format_table
    from kg.train import train as run

    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise click.ClickException("training needs scikit-learn: pip install 'platform-kg[train]'") from None
    nlp = load_pipeline(model)
    say = (lambda msg: None) if as_json else (lambda msg: click.echo(msg, err=True))
    res = run(list(folders), nlp, k=folds, c=DEFAULT_C if c is None else c, seed=seed, threshold=threshold,
              progress=say)
    out = Path(out_dir) if out_dir else DEFAULT_MODEL.parent
    write_models(res, out)
    if as_json:
        click.echo(json.dumps({"cv": res.cv, "calibration": res.calibration, "seconds": round(res.seconds, 1),
                               "typer_accuracy": res.typer_accuracy}, indent=2))
        return
    click.echo(f"Grouped {folds}-fold cross-validation over {res.model.meta['articles']} articles "
               f"(folds by article; scored like `kg eval`):")
    click.echo(format_table(res.cv))
    click.echo(f"Entity typer on held-out mentions: accuracy {res.typer_accuracy[0]:.3f} "
               f"(statistical model alone {res.typer_accuracy[1]:.3f})")
    click.echo("Calibration of held-out candidates (predicted probability bin: n, mean predicted, observed):")
    for lo, hi, n, mean, obs in res.calibration:
        click.echo(f"  {lo:.1f}-{hi:.1f}  n={n:5d}  predicted {mean:.3f}  observed {obs:.3f}")
    click.echo(f"Trained in {res.seconds:.0f} s; wrote {out / 'relations.json'} and {out / 'entity_types.json'}")


def write_models(res, out: Path) -> None:
    from kg.util import atomic_write

    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("relations.json", res.model.to_dict()), ("entity_types.json", res.typer.to_dict())):
        with atomic_write(out / name) as fh:
            fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
