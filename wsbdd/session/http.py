"""HTTP triggers of a scenario: requests to ``WSBDD_HTTP_URL`` and checks on the response.

A request is a *trigger*: "within T" of later receive steps is measured from
the moment it was sent.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from wsbdd.core.exceptions import ExpectationFailed, UsageError
from wsbdd.core.matching import PathNotFound, select
from wsbdd.core.matching.matchers import match
from wsbdd.core.matching.render import describe_expected, render_mismatches
from wsbdd.core.records import NOT_JSON
from wsbdd.runtime.http import HttpResponse

if TYPE_CHECKING:
    from wsbdd.session.scenario import ScenarioSession

__all__ = ["HttpExchange"]


class HttpExchange:
    """The HTTP steps of one scenario and the last response they got."""

    def __init__(self, session: ScenarioSession) -> None:
        self._session = session
        self.response: HttpResponse | None = None

    def request(
        self, method: str, target: str, identity: str | None, body: str | None
    ) -> HttpResponse:
        assert self._session.run.http is not None
        headers: dict[str, str] = {}
        if identity:
            headers["Authorization"] = (
                f"Bearer {self._session.token_for(self._session.text(identity))}"
            )
        payload = None
        if body is not None:
            payload = json.dumps(self._session.json(body), ensure_ascii=False)
        self.response = self._session.run.http.request(
            method, self._session.text(target), body=payload, headers=headers
        )
        self._session.clients.mark_trigger(self.response.sent_at)
        return self.response

    def require_response(self) -> HttpResponse:
        if self.response is None:
            raise UsageError(
                "no HTTP response yet: add a step like 'When I send a GET request to \"/healthz\"'"
            )
        return self.response

    def assert_status(self, status: int) -> None:
        response = self.require_response()
        if response.status != status:
            raise ExpectationFailed(
                self._session.run.redactor.text(
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
        response, payload = self._json_body()
        mismatches = match(expected, payload)
        if mismatches:
            raise ExpectationFailed(
                f"the response body does not match {describe_expected(expected)}\n"
                f"  body: {response.text[:500]}\n{render_mismatches(mismatches)}"
            )

    def save_from_response(self, path: str, variable: str) -> Any:
        response, payload = self._json_body()
        try:
            value = select(payload, path)
        except PathNotFound as exc:
            raise ExpectationFailed(
                f"the response has no {path}: {exc}\n  body: {response.text[:500]}"
            ) from None
        self._session.variables.set(variable, value)
        return value
