"""The wsbdd step library.

Import it from a behave ``steps/`` module to get every phrase::

    # steps/wsbdd_steps.py
    from wsbdd.steps import *  # noqa: F403

Each step is thin: it parses its phrase and makes one call into
:class:`wsbdd.session.scenario.ScenarioSession`. ``wsbdd steps`` prints the catalogue.
"""

from __future__ import annotations

from wsbdd.steps import (
    channel_steps,
    codec_steps,
    connection_steps,
    contract_steps,
    crowd_steps,
    environment_steps,
    event_steps,
    heartbeat_steps,
    http_steps,
    mock_steps,
    receiving_steps,
    sending_steps,
    server_steps,
    socketio_steps,
    timing_steps,
)

__all__ = [
    "channel_steps",
    "codec_steps",
    "connection_steps",
    "contract_steps",
    "crowd_steps",
    "environment_steps",
    "event_steps",
    "heartbeat_steps",
    "http_steps",
    "mock_steps",
    "receiving_steps",
    "sending_steps",
    "server_steps",
    "socketio_steps",
    "timing_steps",
]
