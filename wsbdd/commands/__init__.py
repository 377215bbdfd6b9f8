"""Subcommands of ``wsbdd`` beyond run and serve, one module each (see ``wsbdd.cli``)."""
