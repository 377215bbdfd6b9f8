"""Publishing over HTTP: a profile's ``[publish] method`` and ``path`` instead of a frame.

An SSE feed (or any API whose clients publish by request) is published to by
one HTTP request per message: ``send`` is its JSON body, ``path`` resolves
against ``WSBDD_HTTP_URL``, and the publisher's token travels as the profile's
``[auth]`` says (or in ``[publish] headers``, which may use ``${token}``). The
publication is sent when its request starts, so a delivery's latency includes
the request. An answer outside 2xx, or one that does not match ``ack``, fails
the step with what the server said.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching import Variables, describe_expected, matches
from wsbdd.core.profiles import Exchange, HttpRoute
from wsbdd.core.redaction import Redactor
from wsbdd.runtime.http import HttpResponse
from wsbdd.session.roster import Roster

__all__ = ["Credentials", "HttpPublisher", "Requests"]


class Requests(Protocol):
    """What publishing needs of the scenario's HTTP side (``HttpExchange``)."""

    def send_many(
        self,
        method: str,
        requests: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
        rate: float | None,
    ) -> list[HttpResponse]:
        """Send the requests in order, paced at ``rate`` per second."""
        ...


class Credentials(Protocol):
    """Where a token goes in a plain request (``RequestBuilder``)."""

    def http_credentials(
        self, target: str, token: str | None, identity: str | None
    ) -> tuple[str, list[tuple[str, str]]]:
        """The target and headers carrying ``token``."""
        ...


class HttpPublisher:
    """Sends a client's publications as HTTP requests and checks every answer."""

    def __init__(
        self, requests: Requests, credentials: Credentials, roster: Roster, redactor: Redactor
    ) -> None:
        self._requests = requests
        self._credentials = credentials
        self._roster = roster
        self._redactor = redactor

    def publish(
        self,
        name: str,
        channel: str,
        exchange: Exchange,
        bodies: Sequence[Any],
        variables: Sequence[Variables],
        rate: float | None = None,
    ) -> list[float]:
        """Publish each body for client ``name`` (whose token it carries); the send times."""
        route = exchange.http
        assert route is not None
        enrolment = self._roster.enrolment(name)
        identity = enrolment.identity if enrolment is not None else None
        token = enrolment.token if enrolment is not None else None
        requests = [
            self._request(route, channel, body, values, token, identity)
            for body, values in zip(bodies, variables, strict=True)
        ]
        responses = self._requests.send_many(route.method, requests, rate)
        for index, response in enumerate(responses):
            self._check(name, channel, exchange, response, variables[index], index, len(bodies))
        return [response.sent_at for response in responses]

    def _request(
        self,
        route: HttpRoute,
        channel: str,
        body: Any,
        variables: Variables,
        token: str | None,
        identity: str | None,
    ) -> tuple[str, str, list[tuple[str, str]]]:
        target = str(route.path.render(variables, channel=channel))
        if route.headers is not None:
            values = Variables({**variables.scenario, "token": token or ""}, variables.environ)
            rendered = route.headers.render(values, channel=channel)
            headers = [(str(k), str(v)) for k, v in rendered.items()]
        else:
            target, headers = self._credentials.http_credentials(target, token, identity)
        return target, json.dumps(body, ensure_ascii=False), headers

    def _check(
        self,
        name: str,
        channel: str,
        exchange: Exchange,
        response: HttpResponse,
        variables: Variables,
        index: int,
        count: int,
    ) -> None:
        which = f"publication {index + 1} of {count}" if count > 1 else "publication"
        answer = f"{response.method} {response.url} answered {response.status}"
        body = response.text[:500]
        if not 200 <= response.status < 300:
            hint = ""
            if response.status in (401, 403) and self._roster.identity_of(name) is None:
                hint = (
                    f"; client {name} publishes as nobody: connect it as someone, or "
                    f'"When client {name} authenticates as alice"'
                )
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name}'s {which} to {channel} was refused: {answer}"
                    f"\n  body: {body}{hint}"
                )
            )
        if exchange.ack is None:
            return
        expected = exchange.ack.render(variables, channel=channel)
        if not matches(expected, response.payload):
            raise ExpectationFailed(
                self._redactor.text(
                    f"client {name}'s {which} to {channel} was not acknowledged: {answer}, "
                    f"expected a body matching {describe_expected(expected)}\n  body: {body}"
                )
            )
