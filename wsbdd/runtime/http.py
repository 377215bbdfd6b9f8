"""The HTTP client behind "When I send a POST request to "/orders" as alice with: ...".

Every request has one **total** deadline, the HTTP timeout: connecting,
sending, the response headers and the whole body must fit in it. (httpx's own
timeouts apply to each read, so a streaming or trickling response, say an SSE
endpoint, would never end.) Each request runs on its own short-lived event
loop with ``httpx.AsyncClient`` under ``asyncio.timeout``, which cancels it at
the deadline whatever the server does.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from wsbdd.core.exceptions import ConfigError, ExpectationFailed
from wsbdd.core.records import NOT_JSON, now
from wsbdd.core.timing import format_duration

__all__ = ["HttpResponse", "HttpTrigger"]


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

    def __init__(self, base_url: str | None, *, timeout: float, verify: str | bool = True) -> None:
        self._base_url = base_url
        self.timeout = timeout
        """Seconds a whole request may take (connect, headers and body)."""
        self._verify: ssl.SSLContext | bool = _tls(verify)

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
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request; a transport failure is a failed expectation."""
        url = self.resolve(target)
        request_headers = dict(headers or {})
        if body is not None:
            request_headers.setdefault("Content-Type", "application/json")
        sent_at = now()
        try:
            response = asyncio.run(self._send(method.upper(), url, body, request_headers))
        except TimeoutError:
            raise ExpectationFailed(
                f"{method.upper()} {url} got no complete response within "
                f"{format_duration(self.timeout)} (waited {format_duration(now() - sent_at)})"
            ) from None
        except httpx.HTTPError as exc:
            raise ExpectationFailed(
                f"{method.upper()} {url} failed after {(now() - sent_at) * 1000:.0f} ms: "
                f"{type(exc).__name__}: {exc}"
            ) from None
        return HttpResponse(
            method=method.upper(),
            url=url,
            status=response.status_code,
            text=response.text,
            headers=tuple(response.headers.items()),
            sent_at=sent_at,
            elapsed=now() - sent_at,
            payload=_json_or_not(response.text),
        )

    async def _send(
        self, method: str, url: str, body: str | None, headers: dict[str, str]
    ) -> httpx.Response:
        """The request and its whole body, cancelled at the total deadline (TimeoutError)."""
        async with asyncio.timeout(self.timeout):
            async with httpx.AsyncClient(
                timeout=self.timeout, verify=self._verify, follow_redirects=False
            ) as client:
                try:
                    response = await client.request(method, url, content=body, headers=headers)
                except httpx.TimeoutException as exc:
                    raise TimeoutError from exc
                return response

    def close(self) -> None:
        """Nothing to release: every request has its own client (kept for the run's clean-up)."""


def _tls(verify: str | bool) -> ssl.SSLContext | bool:
    """The TLS settings as one SSL context, made once (not once per request)."""
    if verify is False:
        return False
    if verify is True:
        return httpx.create_ssl_context()
    try:
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"cannot load the CA certificate: {exc}", file=verify) from None


def _json_or_not(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return NOT_JSON
