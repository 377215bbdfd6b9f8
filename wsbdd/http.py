"""The HTTP client behind "When I send a POST request to "/orders" as alice with: ..."."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from wsbdd.exceptions import ExpectationFailed
from wsbdd.model import NOT_JSON, now

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
        self._client = httpx.Client(timeout=timeout, verify=verify, follow_redirects=False)

    def resolve(self, target: str) -> str:
        """Absolute URLs pass through; paths resolve against the HTTP base URL."""
        if "://" in target:
            return target
        if not self._base_url:
            from wsbdd.exceptions import ConfigError

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
            response = self._client.request(
                method.upper(), url, content=body, headers=request_headers
            )
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

    def close(self) -> None:
        self._client.close()


def _json_or_not(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return NOT_JSON
