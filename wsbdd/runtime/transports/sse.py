"""Server-Sent Events as a :class:`~wsbdd.runtime.transport.Transport` (httpx + httpx-sse).

One ``GET`` with ``Accept: text/event-stream``, streamed with httpx; the
stream is split into lines and events by httpx-sse's decoders (the WHATWG
rules: ``event:``, ``data:``, ``id:``, ``retry:``, comments and unknown fields
ignored). Every event becomes one message: its data (parsed as JSON by the
client when it is JSON), stamped when the chunk holding its last line
arrived, with ``meta = {"event", "id", "retry"}`` (``event`` is ``"message"``
when the server named none; an event without data is not dispatched, as a
browser's EventSource does).

What the tester sees for each way a stream goes wrong:

* a status other than 200, or a content type other than ``text/event-stream``:
  the connection is a *rejected handshake* naming the status and content type;
* no response headers within ``open_timeout``: a timed-out handshake;
* the server ends the stream: a *server close* (code 1000, "the server ended
  the event stream");
* one event larger than ``max_size`` bytes: the client closes the stream with
  code 1009 and a reason naming the limit (never an unbounded buffer);
* the connection cut mid-stream: closed by the network, without a clean end.

``last_event_id`` is sent as ``Last-Event-ID`` (a reconnect that resumes);
:attr:`SseTransport.last_event_id` is the id of the latest event received.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Sequence

import httpx
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from wsbdd.core.exceptions import UsageError
from wsbdd.core.records import (
    CloseInfo,
    ConnectOutcome,
    ConnectResult,
    HandshakeInfo,
    now,
)
from wsbdd.core.redaction import Redactor
from wsbdd.runtime.request import ConnectRequest
from wsbdd.runtime.tls import default_http_context
from wsbdd.runtime.transport import TransportEvents, TransportKind

from .sse_headers import EVENT_STREAM, REQUIRED_HEADERS

__all__ = ["EVENT_STREAM", "REQUIRED_HEADERS", "SseStream", "SseTransport"]


_BODY_SHOWN = 300


class SseStream:
    """One event stream; the only direction is server to client.

    Built from explicit options; :class:`SseTransport` builds one from a
    ``ConnectRequest`` (what the transport registry does).
    """

    kind: TransportKind = "sse"

    def __init__(
        self,
        url: str,
        headers: Sequence[tuple[str, str]] = (),
        *,
        open_timeout: float = 10.0,
        max_size: int | None = None,
        verify: ssl.SSLContext | bool = True,
        last_event_id: str | None = None,
        close_timeout: float = 2.0,
        redactor: Redactor | None = None,
    ) -> None:
        self.url = url
        self._redactor = redactor or Redactor()
        self.max_size = max_size
        self.open_timeout = open_timeout
        self.close_timeout = close_timeout
        self.last_event_id = last_event_id
        """The id of the latest event received (what a resuming reconnect sends)."""
        self.headers = _request_headers(headers, last_event_id)
        self._verify = verify
        self._client: httpx.AsyncClient | None = None
        self._response: httpx.Response | None = None
        self._reader: asyncio.Task[None] | None = None
        self._events: TransportEvents | None = None
        self._closed = False

    # -- opening ---------------------------------------------------------------

    async def open(self, events: TransportEvents) -> ConnectResult:
        """Send the GET and wait for the answer's headers (bounded by ``open_timeout``)."""
        self._events = events
        started = now()
        shown_headers = tuple(self._redactor.headers(self.headers))
        handshake = HandshakeInfo(self._redactor.url(self.url), shown_headers)
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.open_timeout, read=None),
            # True (the default CAs): one context for every stream, not one each
            verify=default_http_context() if self._verify is True else self._verify,
            follow_redirects=False,
        )
        try:
            async with asyncio.timeout(self.open_timeout):
                request = self._client.build_request("GET", self.url, headers=self.headers)
                response = await self._client.send(request, stream=True)
        except TimeoutError:
            await self._release()
            return ConnectResult(
                ConnectOutcome.TIMED_OUT,
                handshake,
                now() - started,
                f"no response headers within {self.open_timeout:g} s",
            )
        except httpx.ConnectError as exc:
            await self._release()
            detail = self._redactor.text(str(exc))
            return ConnectResult(ConnectOutcome.REFUSED, handshake, now() - started, detail)
        except httpx.HTTPError as exc:
            await self._release()
            detail = self._redactor.text(f"{type(exc).__name__}: {exc}")
            return ConnectResult(ConnectOutcome.FAILED, handshake, now() - started, detail)
        self._response = response
        answered = HandshakeInfo(
            handshake.url,
            shown_headers,
            response.status_code,
            tuple(self._redactor.headers(list(response.headers.items()))),
        )
        problem = await self._refusal(response)
        if problem is not None:
            await self._release()
            detail = self._redactor.text(problem)
            return ConnectResult(ConnectOutcome.REJECTED, answered, now() - started, detail)
        self._reader = asyncio.get_running_loop().create_task(self._read(response))
        return ConnectResult(ConnectOutcome.OPEN, answered, now() - started)

    async def _refusal(self, response: httpx.Response) -> str | None:
        """Why this answer is not an event stream (status, content type), or None."""
        kind = response.headers.get("content-type", "")
        if response.status_code == 200 and kind.partition(";")[0].strip().lower() == EVENT_STREAM:
            return None
        body = await self._some_body(response)
        shown = f"; body: {body}" if body else ""
        kind_text = f"Content-Type {kind}" if kind else "no Content-Type"
        if response.status_code != 200:
            return f"status {response.status_code} ({kind_text}){shown}"
        return f"status 200 with {kind_text}, not {EVENT_STREAM}: not an event stream{shown}"

    async def _some_body(self, response: httpx.Response) -> str:
        """The start of a refusal's body (bounded in size and time)."""
        data = b""
        with contextlib.suppress(TimeoutError, httpx.HTTPError):
            async with asyncio.timeout(min(1.0, self.open_timeout)):
                async for chunk in response.aiter_bytes():
                    data += chunk
                    if len(data) >= _BODY_SHOWN:
                        break
        text = data[:_BODY_SHOWN].decode("utf-8", "replace").strip()
        return text + ("…" if len(data) > _BODY_SHOWN else "")

    # -- reading ---------------------------------------------------------------

    async def _read(self, response: httpx.Response) -> None:
        assert self._events is not None
        events = self._events
        lines = SSELineDecoder()
        decoder = SSEDecoder()
        cap = self.max_size
        pending = 0  # characters of the event being read (its lines so far)
        info: CloseInfo
        try:
            async for chunk in response.aiter_text():
                at = now()
                for line in lines.decode(chunk):
                    pending += len(line) + 1
                    event = decoder.decode(line)
                    if event is None:
                        continue
                    pending = 0
                    if event.id:
                        self.last_event_id = event.id
                    if not event.data and event.event == "message":
                        continue  # nothing to dispatch (an id or retry on its own)
                    meta = {"event": event.event, "id": event.id or None, "retry": event.retry}
                    events.on_message(event.data, at, meta)
                if cap is not None and pending + _buffered(lines) > cap:
                    info = CloseInfo(
                        1009,
                        f"an SSE event exceeded the size limit of {cap} bytes",
                        "client",
                        True,
                        now(),
                    )
                    break
            else:
                info = CloseInfo(1000, "the server ended the event stream", "server", True, now())
        except asyncio.CancelledError:
            info = CloseInfo(1000, "", "client", True, now())
            self._finish(info)
            raise
        except httpx.HTTPError as exc:
            reason = f"the event stream broke: {type(exc).__name__}: {exc}".rstrip(": ")
            info = CloseInfo(1006, reason, "network", False, now())
        self._finish(info)
        await self._release()

    def _finish(self, info: CloseInfo) -> None:
        if self._closed:
            return
        self._closed = True
        if self._events is not None:
            self._events.on_closed(info)

    async def _release(self) -> None:
        response, client = self._response, self._client
        self._response = self._client = None
        with contextlib.suppress(Exception):
            if response is not None:
                await response.aclose()
        with contextlib.suppress(Exception):
            if client is not None:
                await client.aclose()

    # -- the client's side -----------------------------------------------------------

    @property
    def is_open(self) -> bool:
        """True while the stream is open (it opened and has not ended)."""
        return self._reader is not None and not self._closed

    async def send_text(self, text: str) -> float:
        """An event stream has no way back to the server: a feature mistake."""
        raise UsageError(
            "an SSE connection only receives; send to the server with an HTTP request "
            '(When I send a POST request to "…" with: …)'
        )

    async def send_binary(self, data: bytes) -> float:
        """An event stream has no way back to the server: a feature mistake."""
        return await self.send_text("")

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Stop reading and release the connection (bounded by ``close_timeout``)."""
        reader = self._reader
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                async with asyncio.timeout(self.close_timeout):
                    await reader
        self._finish(CloseInfo(code, reason, "client", True, now()))
        await self._release()

    async def drop(self) -> None:
        """Cut the stream without a goodbye; returns once the end is reported (bounded)."""
        reader = self._reader
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                async with asyncio.timeout(self.close_timeout):
                    await reader
        self._finish(CloseInfo(1006, "dropped by the client", "client", False, now()))
        await self._release()

    async def shutdown(self) -> None:
        """End the stream whatever its state; never raises, leaves no task behind."""
        with contextlib.suppress(Exception):
            await self.close()

    def abort(self) -> None:
        """Drop the stream at once (the reader task is cancelled)."""
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
        else:
            self._finish(CloseInfo(1006, "aborted", "client", False, now()))


def _buffered(lines: SSELineDecoder) -> int:
    """Characters of the partial line the line decoder holds (a line without its end yet)."""
    return sum(len(part) for part in lines.buffer)


def _request_headers(
    headers: Sequence[tuple[str, str]], last_event_id: str | None
) -> list[tuple[str, str]]:
    """The step's headers, then the ones an SSE request needs (replacing any of the same name)."""
    required = list(REQUIRED_HEADERS)
    given = {name.lower() for name, _ in headers}
    if last_event_id and "last-event-id" not in given:
        required.append(("Last-Event-ID", last_event_id))
    needed = {name.lower() for name, _ in REQUIRED_HEADERS}
    return [(k, v) for k, v in headers if k.lower() not in needed] + required


class SseTransport(SseStream):
    """The registry's SSE transport: a stream opened from a ``ConnectRequest``.

    The request's ``url`` (``http://`` or ``https://``), ``headers`` (the
    scenario's, the step's, ``Last-Event-ID`` on a resuming reconnect; SSE's own
    headers always win), ``open_timeout``, ``max_size`` (the size cap per
    event), ``close_timeout``, TLS settings (``ca_file``, the mTLS client
    certificate) and ``secrets`` (masked in the recorded handshake).
    """

    def __init__(self, request: ConnectRequest, name: str = "") -> None:
        context = request.ssl_context()
        super().__init__(
            request.url,
            request.headers,
            open_timeout=request.open_timeout,
            max_size=request.max_size,
            verify=context if context is not None else True,
            close_timeout=request.close_timeout,
            redactor=request.make_redactor(),
        )
        self.request = request
        self.name = name
