"""HTTP triggers of a scenario: requests to ``WSBDD_HTTP_URL`` and checks on the response.

A request is a *trigger*: "within T" of later receive steps is measured from
the moment it was sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpExchange"]


class HttpExchange:
    """The HTTP steps of one scenario: its headers, its cookie jar and the last response.

    ``Given the HTTP headers:`` sets headers for every later request of the
    scenario; a request's own ``with headers:`` table overrides them by name
    (case-insensitively), and ``as alice`` sets ``Authorization`` last. The
    cookie jar collects the ``Set-Cookie`` headers of every response and sends
    them back; :meth:`cookie_header` exposes it to other transports (the
    WebSocket handshake, an SSE stream).
    """

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
        self.headers: list[tuple[str, str]] = []
        """The scenario-wide request headers (``Given the HTTP headers:``)."""
        self._cookies: httpx.Cookies | None = None

    @property
    def cookies(self) -> httpx.Cookies:
        """The scenario's cookie jar, shared by its HTTP requests (made by the first use:
        httpx is imported only by a scenario that sends HTTP or holds cookies)."""
        if self._cookies is None:
            import httpx

            self._cookies = httpx.Cookies()
        return self._cookies

    def set_headers(self, rows: Sequence[tuple[str, str]]) -> None:
        """``Given the HTTP headers:`` (the scenario's later requests send them)."""
        self.headers = _merge(self.headers, self._substituted(rows))

    def _substituted(self, rows: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        pairs = []
        for name, value in rows:
            if not name.strip():
                raise UsageError("a header table row has an empty header name")
            pairs.append((name.strip(), self._args.text(value)))
        return pairs

    def cookie_header(self, url: str) -> str | None:
        """The ``Cookie`` header the scenario's jar holds for ``url`` (ws:// reads as http://)."""
        if self._cookies is None or not self._cookies.jar:
            return None  # an empty jar has nothing to send (and needs no httpx)
        import httpx

        web = "http" + url[2:] if url.startswith(("ws://", "wss://")) else url
        request = httpx.Request("GET", web)
        self.cookies.set_cookie_header(request)
        found: str | None = request.headers.get("cookie")
        return found

    def transport_headers(self, step: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        """The scenario's headers with a connect step's own (variables filled in) over them."""
        return _merge(self.headers, self._substituted(step))

    @staticmethod
    def transport_headers_over(
        headers: Sequence[tuple[str, str]], required: Sequence[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """``headers`` with what a transport ``required`` replacing any of the same name."""
        return _merge(headers, required)

    def request(
        self,
        method: str,
        target: str,
        identity: str | None,
        body: str | None,
        *,
        text: str | None = None,
        content_type: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> HttpResponse:
        """One request: a JSON ``body``, a ``text`` body, or a body sent as written with
        ``content_type``; ``headers`` for this request only."""
        sent_headers = _merge(self.headers, self._substituted(headers))
        payload: str | None = None
        if body is not None and content_type is not None:
            payload = self._args.text(body)
            sent_headers = _merge(sent_headers, [("Content-Type", content_type)])
        elif body is not None:
            payload = json.dumps(self._args.json(body), ensure_ascii=False)
        elif text is not None:
            payload = self._args.text(text)
            if not _has(sent_headers, "content-type"):
                sent_headers.append(("Content-Type", "text/plain; charset=utf-8"))
        if identity:
            token = self._roster.token_for(self._args.text(identity))
            sent_headers = _merge(sent_headers, [("Authorization", f"Bearer {token}")])
        self.response = self._http.request(
            method,
            self._args.text(target),
            body=payload,
            headers=sent_headers,
            cookies=self.cookies,
        )
        self._clients.mark_trigger(self.response.sent_at)
        return self.response

    def send_many(
        self,
        method: str,
        requests: Sequence[tuple[str, str, Sequence[tuple[str, str]]]],
        rate: float | None,
    ) -> list[HttpResponse]:
        """Requests made for the tester (a publish over HTTP): ``(target, JSON text, headers)``.

        They carry the scenario's headers under their own and its cookies; they
        are triggers, but not "the response" the HTTP steps check.
        """
        prepared = [(target, body, _merge(self.headers, own)) for target, body, own in requests]
        responses = self._http.request_many(method, prepared, rate=rate, cookies=self.cookies)
        if responses:
            self._clients.mark_trigger(responses[-1].sent_at)
        return responses

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

    # -- response headers and text ------------------------------------------------

    def _header(self, name: str) -> tuple[HttpResponse, str]:
        response = self.require_response()
        values = [v for k, v in response.headers if k.lower() == name.lower()]
        if not values:
            present = ", ".join(sorted({k for k, _ in response.headers})) or "none"
            raise ExpectationFailed(
                self._redact(
                    f'{response.method} {response.url} answered {response.status} without a '
                    f'"{name}" header (headers: {present})'
                )
            )
        return response, ", ".join(values)

    def _redact(self, text: str) -> str:
        return self._redactor.text(text)

    def assert_header_is(self, name: str, expected: str) -> None:
        """The last response's header ``name`` is exactly ``expected``."""
        wanted = self._args.text(expected)
        response, value = self._header(name)
        if value != wanted:
            raise ExpectationFailed(
                self._redact(
                    f'the response header "{name}" is "{value}", expected "{wanted}" '
                    f"({response.method} {response.url}, status {response.status})"
                )
            )

    def assert_header_matches(self, name: str, pattern: str) -> None:
        """The last response's header ``name`` matches the regular expression (search)."""
        regex = self._args.text(pattern)
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise UsageError(f'"{regex}" is not a valid regular expression: {exc}') from None
        response, value = self._header(name)
        if compiled.search(value) is None:
            raise ExpectationFailed(
                self._redact(
                    f'the response header "{name}" is "{value}", which does not match '
                    f'"{regex}" ({response.method} {response.url}, status {response.status})'
                )
            )

    def assert_body_contains(self, text: str) -> None:
        """The last response's body contains ``text``."""
        wanted = self._args.text(text)
        response = self.require_response()
        if wanted not in response.text:
            raise ExpectationFailed(
                self._redact(
                    f'the response body does not contain "{wanted}" ({response.method} '
                    f"{response.url}, status {response.status})\n  body: {response.text[:500]}"
                )
            )

    def save_header(self, name: str, variable: str) -> str:
        """Stores the last response's header ``name`` as ``${variable}``."""
        _, value = self._header(name)
        self._args.variables.set(variable, value)
        return value


def _has(headers: Sequence[tuple[str, str]], name: str) -> bool:
    return any(k.lower() == name for k, _ in headers)


def _merge(
    base: Sequence[tuple[str, str]], over: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``base`` with every header named in ``over`` replaced by ``over``'s (case-insensitive)."""
    replaced = {k.lower() for k, _ in over}
    return [(k, v) for k, v in base if k.lower() not in replaced] + list(over)
