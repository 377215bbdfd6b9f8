"""``wsbdd serve`` / ``python -m wsbdd.server``: run the reference server.

The first stdout line is exactly::

    wsbdd reference server listening on ws://HOST:PORT/ws http://HOST:PORT

flushed at once, so a caller that asked for ``--port 0`` learns the port.
SIGTERM and SIGINT close every connection with 1001 and exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from .auth import load_users_file
from .bugs import BUGS
from .options import ServerOptions

__all__ = [
    "BANNER",
    "add_serve_arguments",
    "main",
    "options_from_args",
    "raise_fd_limit",
    "run_serve",
]

BANNER = "wsbdd reference server listening on {ws_url} {http_url}"


_DEFAULTS = ServerOptions()
"""Every option's default comes from ``ServerOptions`` (shown in ``--help``)."""


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _non_negative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _positive_int(text: str) -> int:
    value = _int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``serve`` options to ``parser`` (used by ``wsbdd serve`` and ``-m``)."""
    bug_help = "; ".join(f"{name}: {desc}" for name, desc in BUGS.items())
    parser.add_argument(
        "--host", default=_DEFAULTS.host, help="address to bind (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_non_negative_int,
        default=_DEFAULTS.port,
        help="port to bind; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument(
        "--bug",
        dest="bugs",
        action="append",
        default=[],
        metavar="NAME",
        choices=sorted(BUGS),
        help=f"switch on a deliberate bug (repeatable). {bug_help}",
    )
    parser.add_argument(
        "--ping-interval",
        type=_positive_float,
        default=_DEFAULTS.ping_interval,
        metavar="S",
        help="seconds between protocol pings (default %(default)g)",
    )
    parser.add_argument(
        "--ping-timeout",
        type=_positive_float,
        default=_DEFAULTS.ping_timeout,
        metavar="S",
        help="close a peer with 1011 if no pong within S (default %(default)g)",
    )
    parser.add_argument(
        "--queue-limit",
        type=_non_negative_int,
        default=_DEFAULTS.queue_limit,
        metavar="N",
        help="outgoing messages queued per connection before closing it "
        "with 1013 (default %(default)s, 0 = unbounded)",
    )
    parser.add_argument(
        "--send-buffer",
        type=_non_negative_int,
        default=_DEFAULTS.send_buffer,
        metavar="BYTES",
        help="kernel send buffer per connection (SO_SNDBUF, default %(default)s; "
        "0 = system default)",
    )
    parser.add_argument(
        "--history",
        type=_non_negative_int,
        default=_DEFAULTS.history,
        metavar="N",
        help="messages kept per channel for resume (default %(default)s)",
    )
    parser.add_argument(
        "--history-total",
        type=_non_negative_int,
        default=_DEFAULTS.history_total,
        metavar="N",
        help="messages kept for resume across all channels, oldest dropped first "
        "(default %(default)s)",
    )
    parser.add_argument(
        "--history-bytes",
        type=_non_negative_int,
        default=_DEFAULTS.history_bytes,
        metavar="BYTES",
        help="bytes of messages kept for resume across all channels (default %(default)s)",
    )
    parser.add_argument(
        "--max-size",
        type=_positive_int,
        default=_DEFAULTS.max_size,
        metavar="BYTES",
        help="largest incoming message; bigger closes with 1009 (default %(default)s)",
    )
    parser.add_argument(
        "--max-depth",
        type=_positive_int,
        default=_DEFAULTS.max_depth,
        metavar="N",
        help="arrays/objects nested deeper than N in a frame are refused with "
        "error bad_request (default %(default)s)",
    )
    parser.add_argument(
        "--origins",
        default=None,
        metavar="LIST",
        help="comma-separated allowed Origin values (others get HTTP 403; "
        "a missing Origin is allowed)",
    )
    parser.add_argument(
        "--users",
        default=None,
        metavar="FILE",
        help='JSON file {"user": "token"} replacing the built-in users '
        "(else WSBDD_SERVER_USERS=alice:tok,bob:tok, else alice/bob/carol)",
    )
    parser.add_argument(
        "--codec",
        choices=("json", "msgpack", "cbor"),
        default=_DEFAULTS.codec,
        help="what /ws frames are made of: JSON text (default), or MessagePack or CBOR "
        "binary frames, both ways",
    )
    parser.add_argument(
        "--close-timeout",
        type=_positive_float,
        default=_DEFAULTS.close_timeout,
        metavar="S",
        help="how long a closing handshake may take (default %(default)g)",
    )


def options_from_args(args: argparse.Namespace) -> ServerOptions:
    """Build ``ServerOptions`` from parsed ``serve`` arguments (raises ``ValueError``)."""
    origins = None
    if args.origins is not None:
        origins = tuple(o.strip() for o in args.origins.split(",") if o.strip())
    users = load_users_file(args.users) if args.users else None
    return ServerOptions(
        host=args.host,
        port=args.port,
        bugs=frozenset(args.bugs),
        ping_interval=args.ping_interval,
        ping_timeout=args.ping_timeout,
        queue_limit=args.queue_limit,
        history=args.history,
        history_total=args.history_total,
        history_bytes=args.history_bytes,
        max_size=args.max_size,
        origins=origins,
        users=users,
        codec=args.codec,
        close_timeout=args.close_timeout,
        send_buffer=args.send_buffer,
        max_depth=args.max_depth,
    )


def raise_fd_limit() -> None:
    """Raise this process's soft limit of open files to its hard limit.

    Every connection is a file descriptor: the common soft limit (1024) would
    refuse the 1025th client with "Too many open files" although the hard
    limit allows far more. Where the platform has no such limit, or raising
    it is refused, the limit is left as it is.
    """
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        with contextlib.suppress(ValueError, OSError):  # not allowed here (e.g. macOS caps)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _serve(options: ServerOptions) -> None:
    from .app import ReferenceServer

    server = ReferenceServer(options)
    stop = asyncio.Event()
    received: list[str] = []
    loop = asyncio.get_running_loop()

    def on_signal(signum: signal.Signals) -> None:
        received.append(signum.name)
        stop.set()

    stop_signals = (signal.SIGTERM, signal.SIGINT)
    for signum in stop_signals:
        loop.add_signal_handler(signum, on_signal, signum)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)  # even if started with them blocked
    await server.start()
    # handlers are in place before anyone learns the address: no signal is lost
    print(BANNER.format(ws_url=server.ws_url, http_url=server.http_url), flush=True)
    try:
        await stop.wait()
    finally:
        why = f"{received[0]} received" if received else "stopping"
        _log(f"{why}: no new connections, closing every connection with 1001")
        report = await server.stop()
        cut = f", {report.cut} cut after no answer" if report.cut else ""
        _log(f"stopped in {report.seconds:.2f} s ({report.connections} connection(s) closed{cut})")


def _log(line: str) -> None:
    """One line on stderr per server event (never one per frame or per failed send)."""
    print(f"wsbdd reference server: {line}", file=sys.stderr, flush=True)


def run_serve(args: argparse.Namespace) -> int:
    """Run the server until SIGTERM/SIGINT; the exit status (0, or 2 on a setup error)."""
    try:
        options = options_from_args(args)
    except ValueError as exc:
        print(f"wsbdd serve: {exc}", file=sys.stderr)
        return 2
    raise_fd_limit()  # thousands of clients need thousands of descriptors
    try:
        asyncio.run(_serve(options))
    except OSError as exc:
        print(
            f"wsbdd serve: cannot listen on {options.host}:{options.port}: {exc}", file=sys.stderr
        )
        return 1
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m wsbdd.server``."""
    parser = argparse.ArgumentParser(
        prog="python -m wsbdd.server", description="Run the wsbdd reference real-time server."
    )
    add_serve_arguments(parser)
    return run_serve(parser.parse_args(argv))
