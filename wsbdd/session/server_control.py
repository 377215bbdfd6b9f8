"""Server control and inspection for steps: restart/stop/start, memory, metrics."""

from __future__ import annotations

import json
import time
from typing import Any

from wsbdd.core.exceptions import ConfigError, ExpectationFailed
from wsbdd.core.matching import matches
from wsbdd.core.records import NOT_JSON
from wsbdd.core.timing import format_duration
from wsbdd.run import RunContext

__all__ = ["ServerInspector"]

_MB = 1024 * 1024


class ServerInspector:
    """Reads the managed server's process or ``WSBDD_METRICS_URL``; controls a managed server."""

    def __init__(self, run: RunContext) -> None:
        self._run = run
        self.memory_baseline: int | None = None

    def restart(self) -> None:
        self._run.require_server("restart the server").restart()

    def stop(self) -> None:
        self._run.require_server("stop the server").stop()

    def start(self) -> None:
        server = self._run.require_server("start the server")
        if not server.running:
            server.start()

    def assert_running(self, timeout: float) -> None:
        """The server answers its health check (``WSBDD_HEALTH_URL``, by default ``/healthz``)."""
        settings = self._run.settings
        assert self._run.http is not None
        base = settings.health_url
        if base is None:
            raise ConfigError(
                "is not set: cannot tell whether the server runs",
                file=settings.source,
                key="WSBDD_HEALTH_URL",
            )
        self._run.http.prepare()  # the HTTP client's own set-up is not the server's time
        started = time.monotonic()
        deadline = started + timeout
        last = ""
        tries = 0
        while True:
            tries += 1
            try:
                response = self._run.http.request("GET", base)
                if response.status < 500:
                    return
                last = f"HTTP status {response.status}"
            except ExpectationFailed as exc:
                last = _failure_cause(str(exc))
            if time.monotonic() >= deadline:
                waited = format_duration(time.monotonic() - started)
                raise ExpectationFailed(
                    f"the server is not running: GET {base} got no healthy answer in {waited} "
                    f"({tries} {'try' if tries == 1 else 'tries'}; the last: {last})"
                )
            time.sleep(0.05)  # polling an external process; bounded by the deadline

    def metrics(self) -> dict[str, Any]:
        url = self._run.settings.metrics_url
        if not url:
            raise ConfigError(
                "is not set, so server metrics cannot be read",
                file=self._run.settings.source,
                key="WSBDD_METRICS_URL",
            )
        assert self._run.http is not None
        response = self._run.http.request("GET", url)
        if response.status != 200:
            raise ExpectationFailed(f"GET {url} answered {response.status}: {response.text[:300]}")
        value = response.payload
        if value is NOT_JSON:
            raise ExpectationFailed(f"GET {url} did not answer JSON: {response.text[:300]}")
        if not isinstance(value, dict):
            raise ExpectationFailed(
                f"GET {url} did not answer a JSON object: {response.text[:300]}"
            )
        return value

    def memory(self) -> int:
        """Resident memory of the server, in bytes: its process, else the metrics' rss_bytes."""
        server = self._run.server
        if server is not None and server.running:
            return server.rss_bytes()
        value = self.metrics().get("rss_bytes")
        if not isinstance(value, int):
            raise ExpectationFailed(
                f"the metrics at {self._run.settings.metrics_url} have no integer rss_bytes"
            )
        return value

    def record_memory(self) -> int:
        self.memory_baseline = self.memory()
        return self.memory_baseline

    def assert_memory_growth_below(self, megabytes: float) -> None:
        if self.memory_baseline is None:
            raise ExpectationFailed(
                'no memory baseline: add "When I record the server\'s memory" before this step'
            )
        current = self.memory()
        grown = (current - self.memory_baseline) / _MB
        if grown >= megabytes:
            raise ExpectationFailed(
                f"the server's memory grew by {grown:.1f} MB (from "
                f"{self.memory_baseline / _MB:.1f} MB to {current / _MB:.1f} MB), expected less "
                f"than {megabytes:g} MB"
            )

    def assert_metric(self, name: str, expected: Any, timeout: float) -> None:
        """The metric reaches the value within ``timeout`` (servers update asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            metrics = self.metrics()
            if name not in metrics:
                raise ExpectationFailed(
                    f'the server metrics have no "{name}" (they have: {", ".join(sorted(metrics))})'
                )
            if matches(expected, metrics[name]):
                return
            if time.monotonic() >= deadline:
                raise ExpectationFailed(
                    f'the server metric "{name}" is {json.dumps(metrics[name])}, expected '
                    f"{json.dumps(expected)} (waited {timeout:.1f} s)"
                )
            time.sleep(0.05)  # polling a remote endpoint, bounded by the deadline


def _failure_cause(text: str) -> str:
    """``GET url failed after 1 ms: ConnectError: ...`` → ``ConnectError: ...`` (said once)."""
    head, sep, cause = text.partition(" ms: ")
    return cause if sep and " failed after " in head else text
