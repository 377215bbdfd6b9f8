"""Subcommands of ``wsbdd`` beyond run and serve, one module each (see ``wsbdd.cli``)."""

__all__: list[str] = []  # each subcommand is a module: NAME, add_parser, run
