"""The one place a failed connection attempt becomes an outcome and a reason.

Every transport (and the crowds) passes the exception its library raised to
:func:`map_connect_error`; what a rejected handshake says (its status line
and body) stays with the transport, which alone can read the response.
"""

from __future__ import annotations

import ssl

from wsbdd.core.records import ConnectOutcome
from wsbdd.core.timing import format_duration

__all__ = ["map_connect_error", "member_failure"]


def map_connect_error(exc: BaseException, open_timeout: float) -> tuple[ConnectOutcome, str]:
    """``(outcome, detail)`` for ``exc`` raised while connecting (not redacted yet).

    A timeout names the connect timeout; a TLS failure says so; any other
    ``OSError`` is a refusal (the server is not there); the rest fails with
    the exception's type and text.
    """
    if isinstance(exc, TimeoutError):
        return ConnectOutcome.TIMED_OUT, f"the connect timeout is {format_duration(open_timeout)}"
    if isinstance(exc, ssl.SSLError):
        return ConnectOutcome.FAILED, f"TLS error: {exc}"
    if isinstance(exc, OSError):
        return ConnectOutcome.REFUSED, str(exc) or type(exc).__name__
    return ConnectOutcome.FAILED, f"{type(exc).__name__}: {exc}"


def member_failure(exc: BaseException, open_timeout: float) -> str:
    """Why a crowd member could not connect, short enough to count in a summary.

    Same classification as :func:`map_connect_error`, in the crowd's words:
    ``timed out after 5 s``, ``connection refused``, the OS's reason.
    """
    outcome, detail = map_connect_error(exc, open_timeout)
    if outcome is ConnectOutcome.TIMED_OUT:
        return f"timed out after {format_duration(open_timeout)}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if outcome is ConnectOutcome.REFUSED and isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return detail
