"""The ``kg`` command: a thin click layer, one module per command, loaded lazily so that
``kg --help`` stays instant (spaCy, pyvis and friends are imported only by the command that runs)."""
from __future__ import annotations

import importlib
import importlib.util  # not implied by `import importlib`: a clean pip install has nothing else importing it
import sys

import click

from kg.errors import KGError

# command name -> "module:function"; each module holds one command.
COMMANDS = {
    "build": "kg.cli.build:build",
    "eval": "kg.cli.eval:eval_cmd",
    "query": "kg.cli.query:query",
    "load": "kg.cli.load:load",
    "serve": "kg.cli.serve:serve",
    "push": "kg.cli.push:push",
    "viz": "kg.cli.viz:viz",
    "export": "kg.cli.export:export",
    "validate": "kg.cli.validate:validate",
    "stats": "kg.cli.stats:stats",
    "train": "kg.cli.train:train",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(name for name in COMMANDS if self._spec_exists(name))

    @staticmethod
    def _spec_exists(name: str) -> bool:
        module = COMMANDS[name].split(":")[0]
        return importlib.util.find_spec(module) is not None

    def get_command(self, ctx, name):
        if name not in COMMANDS or not self._spec_exists(name):
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KGError as e:
            # every library error carries its user-facing sentence
            click.echo(f"Error: {e}", err=True)
            ctx.exit(e.exit_code)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="platform-kg", prog_name="kg")
def cli():
    """platform-kg: business news about platform ecosystems -> an RDF knowledge graph.

    \b
    Example:
        kg build data/ -o out/
        kg query out/graph.ttl --preset people-roles
    """


def main(argv=None):
    return cli.main(args=argv, prog_name="kg")


if __name__ == "__main__":
    sys.exit(main())
