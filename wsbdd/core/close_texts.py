"""How a close is worded when it is checked: the close wanted, and the one that came.

Each fact once: the wanted close names its code and reason, and
:meth:`~wsbdd.core.records.CloseInfo.describe` names the real ones, so a mismatch
reads "expected to be closed with code 1002, but it was cut without a close
frame (code 1006)" and nothing is repeated in brackets. After an
authentication close, :func:`token_hint` names the token that was sent.

It also holds every other wording of how a connection opened, failed or
ended that the runtime writes (transcript notes, why a client cannot send, how
a crowd member's connection ended), so each is spelled in one place.
"""

from __future__ import annotations

from wsbdd.core.records import CloseInfo

__all__ = [
    "AUTH_CLOSE_CODES",
    "DROPPED_NOTE",
    "STILL_CLOSING",
    "attempt_ended",
    "attempt_note",
    "cannot_send",
    "close_as_wanted",
    "describe_wanted_close",
    "ended_phrase",
    "member_lost",
    "opened_note",
    "real_close",
    "token_hint",
]

AUTH_CLOSE_CODES = frozenset({1008, 4401, 4403})
"""Close codes that mean "your credentials are wrong": policy violation, and the
unauthorized/forbidden of the reference server and graphql-transport-ws."""


def describe_wanted_close(
    code: int | None, reason: str | None, by_server: bool, without_close_frame: bool
) -> str:
    """The close a step waits for: ``closed by the server with code 4401 and reason "x"``."""
    if without_close_frame:
        return "closed without a close frame"
    text = "closed by the server" if by_server else "closed"
    if code is not None:
        text += f" with code {code}"
    if reason is not None:
        text += f' and reason "{reason}"'
    return text


def close_as_wanted(
    info: CloseInfo, code: int | None, reason: str | None, by_server: bool, no_frame: bool
) -> bool:
    """Whether the close that came is the one wanted (``None``: any code or reason)."""
    if no_frame:
        return not info.clean
    return (
        not (by_server and info.initiated_by == "client")
        and (code is None or info.code == code)
        and (reason is None or info.reason == reason)
    )


def real_close(info: CloseInfo, reason: str | None) -> str:
    """How the client was closed, each fact once (``describe`` names code and reason)."""
    text = info.describe()
    if reason is not None and info.clean and not info.reason:
        text += " and no reason"
    return text


def token_hint(identity: str | None, info: CloseInfo) -> str:
    """`` (it connected as alice: is WSBDD_TOKEN_ALICE right?)`` after an auth close."""
    if identity is None or info.code not in AUTH_CLOSE_CODES or info.initiated_by != "server":
        return ""
    return f" (it connected as {identity}: is WSBDD_TOKEN_{identity.upper()} right?)"


DROPPED_NOTE = "dropped the TCP connection"
"""The transcript note of a client cutting its own connection."""

STILL_CLOSING = "its connection is closing"
"""Why a client cannot send while its end is not known yet."""


def opened_note(elapsed: float) -> str:
    """The transcript note of an opened connection: ``connected in 1.4 ms``."""
    return f"connected in {elapsed * 1000:.1f} ms"


def attempt_note(outcome: str, detail: str) -> str:
    """The transcript note of a failed attempt: ``rejected: HTTP 401 Unauthorized``."""
    return f"{outcome}: {detail}" if detail else outcome


def attempt_ended(outcome: str, detail: str) -> str:
    """Why a client that never connected cannot act: ``its connection attempt ended: ...``."""
    return f"its connection attempt ended: {outcome}" + (f" ({detail})" if detail else "")


def ended_phrase(info: CloseInfo, identity: str | None, dropped: bool) -> str:
    """How a client's connection ended, after "cannot send:" and the like.

    ``it was closed by the server with code 4401 "unauthorized"`` (plus the
    :func:`token_hint`), ``it dropped its connection (code 1006)`` when the
    client cut it, else ``its connection was cut without a close frame (code 1006)``.
    """
    if info.clean:
        return f"it was {info.describe()}{token_hint(identity, info)}"
    if dropped:
        return f"it dropped its connection (code {info.code})"
    by = {"client": " after the client's close frame", "server": "", "network": ""}
    return (
        f"its connection was cut without a close frame{by[info.initiated_by]} "
        f"(code {info.code})"
    )


def cannot_send(name: str, why: str) -> str:
    """``client A cannot send: <why>``."""
    return f"client {name} cannot send: {why}"


def member_lost(closing: bool) -> str:
    """How a crowd member's connection ended with no close frame from the server."""
    if closing:
        return "closed by the client without the server's close frame"
    return "connection lost without a close frame (1006)"
