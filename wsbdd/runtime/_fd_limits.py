"""Room for many sockets: the process's limit of open files, raised when a crowd needs it."""

from __future__ import annotations

import os

from wsbdd.core.exceptions import UsageError

__all__ = ["ensure_fd_limit", "raise_fd_limit"]

_FD_MARGIN = 64
"""File descriptors kept free beyond the crowd's sockets (logs, the server, HTTP)."""


def raise_fd_limit(needed: int) -> int:
    """Raise the soft limit of open files to the hard limit when it is below ``needed``.

    Returns the soft limit now in force (``needed`` where the platform has no
    such limit).
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return needed
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return needed if soft == resource.RLIM_INFINITY else soft
    target = hard if hard != resource.RLIM_INFINITY else needed
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):  # pragma: no cover - not allowed here
        return soft
    return target


def ensure_fd_limit(connections: int) -> None:
    """Make room for ``connections`` more sockets, or raise a :class:`UsageError` saying how."""
    if connections <= 0:
        return
    needed = _open_fds() + connections + _FD_MARGIN
    limit = raise_fd_limit(needed)
    if limit < needed:
        raise UsageError(
            f"{connections} connections need about {needed} open files, but this process may "
            f"open only {limit}: raise the limit (ulimit -n {needed}) or use fewer clients"
        )


def _open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # pragma: no cover - not Linux
        return 256
