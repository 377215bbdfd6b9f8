"""A mock WebSocket server for testing client applications (docs/testing-client-apps.md).

wsbdd plays the server; the app under test is the client:

* :mod:`~wsbdd.mock.server` – the server on the run's loop, frames stamped at arrival;
* :mod:`~wsbdd.mock.script` – its greeting, answers and latency (pure);
* :mod:`~wsbdd.mock.recorder` – everything it sees, per connection (no I/O);
* :mod:`~wsbdd.mock.identity` – how it tells clients apart (pure);
* :mod:`~wsbdd.mock.analytics` – reconnects, storms, backoff and jitter (pure);
* :mod:`~wsbdd.mock.reconnect_checks` – the reconnect steps: wait, then judge;
* :mod:`~wsbdd.mock.app` – the app under test as a process, stopped with its children;
* :mod:`~wsbdd.mock.ops` – what the steps call (``session.mock``).
"""

from __future__ import annotations

# Nothing is imported here, so the pure modules load without asyncio or websockets.
__all__: list[str] = []
