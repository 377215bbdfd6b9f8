"""The HTTP client behind "When I send a POST request to "/orders" as alice with: ...".

Every request has one **total** deadline, the HTTP timeout: connecting,
sending, the response headers and the whole body must fit in it. (httpx's own
timeouts apply to each read, so a streaming or trickling response, say an SSE
endpoint, would never end.) A step's requests (one, or a paced series when a
profile publishes over HTTP) run on a short-lived event loop with one
``httpx.AsyncClient``, each under its own ``asyncio.timeout``, which cancels it
at the deadline whatever the server does.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from wsbdd.core.exceptions import ConfigError, ExpectationFailed
from wsbdd.core.records import NOT_JSON, now
from wsbdd.core.timing import format_duration
from wsbdd.runtime.tls import default_http_context

if TYPE_CHECKING:
    import httpx

# httpx is imported by the first request, not here: it costs a tenth of a
# second at start-up and many runs send no HTTP request at all.

__all__ = ["EventStreamAnswer", "HttpResponse", "HttpTrigger", "client_tls"]


class EventStreamAnswer(ExpectationFailed):
    """A plain HTTP request was answered with an event stream (it would never end)."""

    def __init__(self, method: str, url: str, status: int, content_type: str) -> None:
        super().__init__(
            f"{method} {url} answered {status} with an event stream (Content-Type: "
            f"{content_type}): a plain HTTP step reads a whole body, and this one never ends. "
            f'Read it as a client instead: Given client A connects to "{url}" over SSE, '
            'and Then client A receives the event "…" within 1 s'
        )


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What came back from an HTTP trigger, with the time it was sent."""

    method: str
    url: str
    status: int
    text: str
    headers: tuple[tuple[str, str], ...]
    sent_at: float
    elapsed: float
    payload: Any = NOT_JSON
    """The JSON body, parsed once; ``NOT_JSON`` when the body is not JSON."""


class HttpTrigger:
    """A small synchronous HTTP client bound to ``WSBDD_HTTP_URL``."""

    def __init__(
        self,
        base_url: str | None,
        *,
        timeout: float,
        verify: str | bool = True,
        client_cert: str | None = None,
        client_key: str | None = None,
    ) -> None:
        self._base_url = base_url
        self.timeout = timeout
        """Seconds a whole request may take (connect, headers and body)."""
        self._tls = (verify, client_cert, client_key)
        self._verify: ssl.SSLContext | bool | None = None
        if verify is not True or client_cert is not None:
            self._verify = client_tls(verify, client_cert, client_key)  # a bad file stops the run
        # The default (the system's CAs) is made by the first request: it imports httpx
        # and loads the CA bundle, a tenth of a second many runs never need.

    def prepare(self) -> ssl.SSLContext | bool:
        """Import httpx and make the TLS context now (the first request does it otherwise)."""
        import httpx  # noqa: F401 - imported here, not inside a timed request

        if self._verify is None:
            self._verify = client_tls(*self._tls)
        return self._verify

    def resolve(self, target: str) -> str:
        """Absolute URLs pass through; paths resolve against the HTTP base URL."""
        if "://" in target:
            return target
        if not self._base_url:
            raise ConfigError(
                f'cannot resolve "{target}": WSBDD_HTTP_URL is not set', key="WSBDD_HTTP_URL"
            )
        return urljoin(self._base_url.rstrip("/") + "/", target.lstrip("/"))

    def request(
        self,
        method: str,
        target: str,
        *,
        body: str | bytes | None = None,
        headers: dict[str, str] | Sequence[tuple[str, str]] | None = None,
        cookies: httpx.Cookies | None = None,
    ) -> HttpResponse:
        """Send one request within the total deadline; a transport failure is a failed expectation.

        ``headers`` are sent as given (a JSON ``Content-Type`` is added for a body
        without one); ``cookies`` is the scenario's jar: sent with the request and
        updated from its ``Set-Cookie`` headers. An answer that is an event stream
        (``text/event-stream``) fails at once: a plain request reads a whole body.
        """
        pairs = list(headers.items() if isinstance(headers, dict) else headers or ())
        return self.request_many(method, [(target, body, pairs)], cookies=cookies)[0]

    def request_many(
        self,
        method: str,
        requests: Sequence[tuple[str, str | bytes | None, Sequence[tuple[str, str]]]],
        *,
        rate: float | None = None,
        cookies: httpx.Cookies | None = None,
    ) -> list[HttpResponse]:
        """Send ``(target, body, headers)`` requests in order, ``rate`` per second (None: back
        to back), on one connection pool; each has the total deadline of :meth:`request`."""
        verb = method.upper()
        prepared = []
        for target, body, headers in requests:
            request_headers = list(headers)
            if body is not None and not any(k.lower() == "content-type" for k, _ in headers):
                request_headers.append(("Content-Type", "application/json"))
            prepared.append((self.resolve(target), body, request_headers))
        return asyncio.run(self._send_all(verb, prepared, rate, cookies))

    async def _send_all(
        self,
        verb: str,
        prepared: Sequence[tuple[str, str | bytes | None, list[tuple[str, str]]]],
        rate: float | None,
        cookies: httpx.Cookies | None,
    ) -> list[HttpResponse]:
        import httpx

        verify = self.prepare()
        responses: list[HttpResponse] = []
        started = now()
        async with httpx.AsyncClient(
            timeout=self.timeout, verify=verify, follow_redirects=False, cookies=cookies
        ) as client:
            for index, (url, body, headers) in enumerate(prepared):
                if rate is not None and index:
                    await asyncio.sleep(max(0.0, started + index / rate - now()))
                sent_at = now()
                try:
                    async with asyncio.timeout(self.timeout):
                        response, text = await _send(client, verb, url, body, headers)
                except TimeoutError:
                    raise ExpectationFailed(
                        f"{verb} {url} got no complete response within "
                        f"{format_duration(self.timeout)} (waited "
                        f"{format_duration(now() - sent_at)}; the deadline covers connecting, "
                        "the headers and the whole body)"
                    ) from None
                except httpx.HTTPError as exc:
                    raise ExpectationFailed(
                        f"{verb} {url} failed after {(now() - sent_at) * 1000:.0f} ms: "
                        f"{type(exc).__name__}: {exc}"
                    ) from None
                if cookies is not None:
                    cookies.extract_cookies(response)
                responses.append(
                    HttpResponse(
                        method=verb,
                        url=url,
                        status=response.status_code,
                        text=text,
                        headers=tuple(response.headers.items()),
                        sent_at=sent_at,
                        elapsed=now() - sent_at,
                        payload=_json_or_not(text),
                    )
                )
        return responses

    def close(self) -> None:
        """Nothing to release: every request has its own client (kept for the run's clean-up)."""


async def _send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    body: str | bytes | None,
    headers: Sequence[tuple[str, str]],
) -> tuple[httpx.Response, str]:
    """The request and its whole body (an event stream is refused at its headers)."""
    import httpx

    try:
        async with client.stream(method, url, content=body, headers=list(headers)) as response:
            kind = response.headers.get("content-type", "")
            if kind.split(";")[0].strip().lower() == "text/event-stream":
                raise EventStreamAnswer(method, url, response.status_code, kind)
            await response.aread()
    except httpx.TimeoutException as exc:
        raise TimeoutError from exc
    return response, response.text


def client_tls(
    verify: str | bool, client_cert: str | None = None, client_key: str | None = None
) -> ssl.SSLContext | bool:
    """The TLS settings as one SSL context, made once (not once per request).

    ``verify`` is True (the system's CAs), False (no check) or a CA bundle;
    ``client_cert`` (with ``client_key`` when the key is a separate file) is the
    client certificate presented to servers that ask for one (mTLS).
    """
    import httpx

    if verify is False and client_cert is None:
        return False
    if verify is True and client_cert is None:
        return default_http_context()
    try:
        if verify is True or verify is False:
            context = httpx.create_ssl_context(verify=bool(verify))
        else:
            context = ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA certificate: {exc}", file=str(verify)) from None
    if client_cert is not None:
        try:
            context.load_cert_chain(client_cert, client_key)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(
                f"cannot load the client certificate: {exc}",
                file=client_cert,
                key="WSBDD_CLIENT_CERT",
            ) from None
    return context


def _json_or_not(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return NOT_JSON
