"""``kg load``: add graph files to an Oxigraph store, one named graph per article."""
from __future__ import annotations

import click


@click.command("load")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--store", "store_dir", required=True, type=click.Path(file_okay=False),
              help="The store directory (created if missing).")
def load(files, store_dir):
    """Add graph FILES (any RDF syntax, by extension) to the store at --store.

    Each article goes into its own named graph (its IRI); loading an article again replaces it,
    entities and facts are merged without duplicates. Query the store with kg query / kg serve.

    \b
    Example:
        kg load out/graph.ttl --store store/
        kg query store/ --preset people-roles
    """
    import time

    from kg.store import load_files

    t = time.perf_counter()
    report = load_files(files, store_dir)
    click.echo(f"{store_dir}: {report} in {time.perf_counter() - t:.1f} s")
