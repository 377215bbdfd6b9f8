"""behave hooks of this project: wsbdd's own (environments, server, clients, reports)."""

from wsbdd.hooks import *  # noqa: F403
