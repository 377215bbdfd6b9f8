"""What the mock-server steps do: one :class:`MockOps` per scenario (``session.mock``).

It starts the :class:`~wsbdd.mock.server.MockServer` on the run's loop,
starts and stops the app under test, waits (bounded, woken by every change
the server records, never polling) and turns what the mock saw into verdicts.
Everything it does ends with the scenario: :meth:`MockOps.close`.
"""

from __future__ import annotations

import asyncio
import errno
import json
import threading
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from wsbdd.core.exceptions import ExpectationFailed, ServerControlError, UsageError
from wsbdd.core.matching import describe_expected
from wsbdd.core.matching.matchers import check_expected, matches
from wsbdd.core.records import Message, now
from wsbdd.core.timing import format_duration
from wsbdd.mock.app import AppProcess
from wsbdd.mock.identity import ClientKey
from wsbdd.mock.reconnect_checks import ReconnectChecks
from wsbdd.mock.recorder import Change, MockRecord
from wsbdd.mock.script import Script
from wsbdd.mock.server import CLOSE_GRACE, MockServer

if TYPE_CHECKING:
    from wsbdd.core.matching import Variables
    from wsbdd.run import RunContext
    from wsbdd.runtime import Clients

__all__ = ["APP_START_CHECK", "MockOps", "Session"]

T = TypeVar("T")

APP_START_CHECK = 0.5
"""Seconds an app may take to show it runs (its first attempt, or still running)."""


_SENDABLE_CODES = frozenset((1000, 1001, 1002, 1003, *range(1007, 1015)))
"""The registered close codes a peer may send (RFC 6455 7.4, RFC 6455 registry)."""
_ATTEMPT: tuple[Change, ...] = ("attempt",)
_FRAME: tuple[Change, ...] = ("frame",)
_OPEN_OR_END: tuple[Change, ...] = ("opened", "ended")


class Session(Protocol):
    """What the mock needs of the scenario (a :class:`~wsbdd.session.scenario.ScenarioSession`)."""

    run: RunContext
    clients: Clients
    variables: Variables
    default_timeout: float

    def text(self, value: str) -> str: ...
    def json(self, text: str) -> Any: ...
    def scaled(self, seconds: float) -> float: ...
    def set_variable(self, name: str, value: Any) -> None: ...


class MockOps:
    """The scenario's mock server, its app under test and their verdicts."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.script = Script()
        self.server: MockServer | None = None
        self.apps: list[AppProcess] = []
        self.reconnects = ReconnectChecks(self)
        """The reconnect checks: every client back, spread, backoff, jitter."""
        self.origin = now()

    # -- set-up ------------------------------------------------------------------

    def start(self, path: str | None, subprotocols: tuple[str, ...], port: int = 0) -> str:
        """``Given a mock server``: listen on 127.0.0.1 and set ``${mock_url}``."""
        if self.server is not None:
            raise UsageError("this scenario already has a mock server")
        path = self.session.text(path) if path else None
        if path is not None and not path.startswith("/"):
            raise UsageError(f'the mock server\'s path must start with "/", got "{path}"')
        server = MockServer(
            self.script, self.session.variables, path=path, subprotocols=subprotocols
        )
        try:
            self._loop(server.start(port), 5.0)
        except OSError as exc:
            why = "the address is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise ServerControlError(
                f"the mock server cannot listen on 127.0.0.1:{port}: {why or exc}"
            ) from None
        except TimeoutError:
            raise ServerControlError(
                f"the mock server did not start listening on port {port}"
            ) from None
        self.server = server
        url = f"ws://127.0.0.1:{server.port}{path or ''}"
        self.session.set_variable("mock_url", url)
        self.session.set_variable("mock_http_url", f"http://127.0.0.1:{server.port}")
        self.session.set_variable("mock_port", server.port)
        return url

    @property
    def running(self) -> MockServer:
        if self.server is None:
            raise UsageError('no mock server in this scenario: add "Given a mock server" first')
        return self.server

    @property
    def record(self) -> MockRecord:
        return self.running.record

    def greet(self, text: str) -> None:
        """``greets every client with {…}``."""
        _ = self.running
        self.script.greet(self.session.json(text))

    def answer(self, request: str, reply: str) -> None:
        """``answers {…} with {…}``: the reply is kept as a template, filled per request."""
        _ = self.running
        expected = self.session.json(request)
        check_expected(expected)
        self.script.answer(expected, reply, self.session.variables.scenario)

    def set_latency(self, low: float, high: float | None) -> None:
        """``has a latency of T [to T2]``."""
        _ = self.running
        self.script.set_latency(low, high)

    def tell_apart(self, source: str, name: str) -> None:
        """``tells clients apart by the header "X-Device"`` (or query parameter, or field)."""
        self.record.keys = (ClientKey.parse(source, self.session.text(name)),)

    # -- the app under test ---------------------------------------------------------

    def start_app(self, command: str) -> AppProcess:
        """Run the app with the mock URL in its environment; an app that cannot run is an error.

        Returns once the app made its first connection attempt, or after
        :data:`APP_START_CHECK` when it is still running. An app that exited
        by then with an error, or without trying to connect, is a usage error
        naming the command and quoting its output.
        """
        record = self.record
        url = str(self.session.variables.get("mock_url"))
        text = self.session.text(command)
        before = self.call(lambda: len(record.connections))
        woke = threading.Event()  # the app's first attempt, or its exit
        stop = self.call(lambda: record.listen(woke.set, _ATTEMPT))
        try:
            app = AppProcess(text, {"WSBDD_MOCK_URL": url, "MOCK_URL": url}, notify=woke)
            self.apps.append(app)
            woke.wait(self.session.scaled(APP_START_CHECK))
        finally:
            self.call(stop)
        if app.exited.is_set():
            code = app.wait(CLOSE_GRACE)
            attempts = self.call(lambda: len(record.connections)) - before
            if code != 0 or attempts == 0:
                raise UsageError(self.redact(app.describe_exit()))
        return app

    def read(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the loop thread, where the server writes its record (for the report)."""
        return self.call(fn)

    def disruption_name(self) -> str:
        """``drop``, ``close 1012`` or ``refuse 503``: what reconnects are measured from."""
        return self.read(lambda: self.record.disrupted_by) or "start"

    # -- waiting ----------------------------------------------------------------------

    def _loop(self, coro: Any, timeout: float) -> Any:
        return self.session.clients.loop.run(coro, timeout)

    def call(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the loop thread and return its result."""
        return self.session.clients.loop.call(fn)

    def until(
        self,
        probe: Callable[[], T | None],
        timeout: float,
        kinds: Collection[Change] | None = None,
    ) -> T | None:
        """Run ``probe`` on the loop now and after each change (of ``kinds``) until it answers.

        Returns the probe's answer, or its last ``None`` when ``timeout`` passed.
        """
        record = self.record

        async def wait() -> T | None:
            changed = asyncio.Event()
            stop = record.listen(changed.set, kinds)
            deadline = asyncio.get_running_loop().time() + timeout
            try:
                while True:
                    changed.clear()
                    found = probe()
                    remaining = deadline - asyncio.get_running_loop().time()
                    if found is not None or remaining <= 0:
                        return found
                    try:
                        await asyncio.wait_for(changed.wait(), remaining)
                    except TimeoutError:
                        return probe()
            finally:
                stop()

        result: T | None = self._loop(wait(), timeout + 5.0)
        return result

    def redact(self, text: str) -> str:
        """``text`` with the run's secrets and sensitive parameters hidden."""
        return self.session.run.redactor.text(text)

    def _seen(self) -> str:
        """What the mock saw, for a failure: every connection and the app's state."""
        lines = [f"the mock server at {self.session.variables.get('mock_url')} saw "]
        conns = self.call(lambda: [c.summary() for c in self.record.connections])
        lines[0] += f"{len(conns)} connection attempts" + (":" if conns else "")
        lines += [f"  {line}" for line in conns[-10:]]
        for app in self.apps:
            if app.returncode is not None:
                lines.append(app.describe_exit())
        return self.redact("\n".join(lines))

    # -- assertions -------------------------------------------------------------------

    def assert_connections(self, count: int, within: float) -> None:
        """``the mock server has N connections within T``: exactly N open when N is reached."""
        record = self.record
        timeout = self.session.scaled(within)
        started = now()
        found = self.until(
            lambda: n if (n := len(record.open_connections())) >= count else None,
            timeout,
            _OPEN_OR_END,
        )
        if found is None:
            have = self.call(lambda: len(record.open_connections()))
            raise ExpectationFailed(
                f"the mock server has {have} open connections, expected {count} within "
                f"{format_duration(within)} (waited {format_duration(now() - started)})\n"
                + self._seen()
            )
        if found > count:
            raise ExpectationFailed(
                f"the mock server has {found} open connections, expected {count}\n" + self._seen()
            )

    def assert_receives(self, text: str, within: float | None) -> Message:
        """``the mock server receives {…} within T``: any connection, from the step's start."""
        expected = self.session.json(text)
        check_expected(expected)
        record = self.record
        limit = within if within is not None else self.session.default_timeout
        started = now()
        found = self.until(
            lambda: record.take_message(lambda m: m.is_json and matches(expected, m.payload)),
            self.session.scaled(limit),
            _FRAME,
        )
        if found is not None:
            return found
        received = self.call(record.messages)
        shown = "\n".join(
            f"  {m.client} +{format_duration(m.received_at - self.origin)} {m.display(200)}"
            for m in received[-10:]
        )
        raise ExpectationFailed(
            self.redact(
                f"the mock server did not receive {describe_expected(expected)} within "
                f"{format_duration(limit)} (waited {format_duration(now() - started)}); "
                f"{len(received)} messages received" + (f":\n{shown}" if shown else "")
            )
            + "\n"
            + self._seen(),
            expected=expected,
        )

    # -- disruptions ------------------------------------------------------------------

    def send_all(self, text: str) -> int:
        """Send to every open connection; with none open, a failure saying what the mock saw."""
        body = json.dumps(self.session.json(text), ensure_ascii=False)
        server = self.running
        result: int = self._loop(server.send_all(body), CLOSE_GRACE + 5.0)
        if result == 0:
            raise ExpectationFailed(
                self.redact(f"the mock server has no open connection to send {body} to\n")
                + self._seen()
            )
        return result

    def drop_all(self) -> int:
        server = self.running
        return self.call(lambda: self._disrupt("drop", server.drop_all))

    def close_all(self, code: int, reason: str = "") -> int:
        """Close every open connection with ``code`` and ``reason``; marks the disruption."""
        if code not in _SENDABLE_CODES and not 3000 <= code <= 4999:
            raise UsageError(
                f"{code} is not a close code a server may send "
                "(1000-1003, 1007-1014, or 3000-4999)"
            )
        reason = self.session.text(reason)
        if len(reason.encode()) > 123:
            raise UsageError("a close reason may be at most 123 bytes long")
        server = self.running
        self.call(lambda: server.record.disrupt(now(), f"close {code}"))
        result: int = self._loop(server.close_all(code, reason), CLOSE_GRACE + 5.0)
        return result

    def refuse(self, status: int, seconds: float) -> None:
        if not 400 <= status <= 599:
            raise UsageError(f"a refusal needs an HTTP error status (400-599), got {status}")
        server = self.running

        def refuse() -> None:
            server.record.disrupt(now(), f"refuse {status}", weak=True)
            server.refuse(status, self.session.scaled(seconds))

        self.call(refuse)

    def _disrupt(self, what: str, action: Callable[[], int]) -> int:
        self.record.disrupt(now(), what)
        return action()

    # -- teardown ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the mock's connections (1001) and stop it, then stop every app and its children."""
        errors: list[BaseException] = []
        if self.server is not None:
            try:
                self._loop(self.server.stop(), 3 * CLOSE_GRACE + 2.0)
            except Exception as exc:
                errors.append(exc)
        self.server = None
        for app in self.apps:
            try:
                app.stop()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise errors[0]
