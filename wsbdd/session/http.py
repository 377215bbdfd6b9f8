"""HTTP triggers of a scenario: requests to ``WSBDD_HTTP_URL`` and checks on the response.

A request is a *trigger*: "within T" of later receive steps is measured from
the moment it was sent.
"""

from __future__ import annotations

import json
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import PathNotFound, select
from wsbdd.core.matching.matchers import match
from wsbdd.core.matching.render import describe_expected, render_mismatches
from wsbdd.core.records import NOT_JSON
from wsbdd.core.redaction import Redactor
from wsbdd.runtime import Clients
from wsbdd.runtime.http import HttpResponse, HttpTrigger
from wsbdd.session.arguments import Arguments
from wsbdd.session.roster import Roster

__all__ = ["HttpExchange"]


class HttpExchange:
    """The HTTP steps of one scenario and the last response they got."""

    def __init__(
        self,
        http: HttpTrigger,
        args: Arguments,
        roster: Roster,
        clients: Clients,
        redactor: Redactor,
    ) -> None:
        self._http = http
        self._args = args
        self._roster = roster
        self._clients = clients
        self._redactor = redactor
        self.response: HttpResponse | None = None

    def request(
        self, method: str, target: str, identity: str | None, body: str | None
    ) -> HttpResponse:
        """Send an HTTP request (a trigger), as ``identity`` when given; the response is kept."""
        headers: dict[str, str] = {}
        if identity:
            headers["Authorization"] = f"Bearer {self._roster.token_for(self._args.text(identity))}"
        payload = None
        if body is not None:
            payload = json.dumps(self._args.json(body), ensure_ascii=False)
        self.response = self._http.request(
            method, self._args.text(target), body=payload, headers=headers
        )
        self._clients.mark_trigger(self.response.sent_at)
        return self.response

    def require_response(self) -> HttpResponse:
        """The last response (a UsageError before any request)."""
        if self.response is None:
            raise UsageError(
                "no HTTP response yet: add a step like 'When I send a GET request to \"/healthz\"'"
            )
        return self.response

    def assert_status(self, status: int) -> None:
        """The last response has this HTTP status."""
        response = self.require_response()
        if response.status != status:
            raise ExpectationFailed(
                self._redactor.text(
                    f"{response.method} {response.url} answered {response.status}, expected "
                    f"{status}\n  body: {response.text[:500]}"
                )
            )

    def _json_body(self) -> tuple[HttpResponse, Any]:
        response = self.require_response()
        if response.payload is NOT_JSON:
            raise ExpectationFailed(f"the response body is not JSON: {response.text[:500]}")
        return response, response.payload

    def assert_response_body(self, expected: Any) -> None:
        """The last response's JSON body matches ``expected`` (partial match)."""
        response, payload = self._json_body()
        mismatches = match(expected, payload)
        if mismatches:
            raise ExpectationFailed(
                f"the response body does not match {describe_expected(expected)}\n"
                f"  body: {response.text[:500]}\n{render_mismatches(mismatches)}"
            )

    def save_from_response(self, path: str, variable: str) -> Any:
        """Store the value at ``path`` of the last response's JSON body as ``${variable}``."""
        response, payload = self._json_body()
        try:
            value = select(payload, path)
        except PathNotFound as exc:
            raise ExpectationFailed(
                f"the response has no {path}: {exc}\n  body: {response.text[:500]}"
            ) from None
        self._args.variables.set(variable, value)
        return value
