"""The client runtime's public API matches docs/architecture.md ("Client runtime")."""

from __future__ import annotations

import inspect

import wsbdd.runtime as runtime
from wsbdd.runtime import Client, Clients, ConnectRequest, LoopThread


def test_exports_are_complete_and_importable() -> None:
    public = {name for name in dir(runtime) if not name.startswith("_")}
    # Submodules show up as attributes once imported; they are not exports.
    modules = {name for name in public if inspect.ismodule(getattr(runtime, name))}
    assert set(runtime.__all__) == public - modules - {"annotations"}
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None


def test_contract_names_exist() -> None:
    for name in ("start", "run", "stop"):
        assert callable(getattr(LoopThread, name))
    fields = list(inspect.signature(ConnectRequest).parameters)
    assert fields[:8] == [
        "url", "headers", "subprotocols", "origin",
        "open_timeout", "ca_file", "identity", "secrets",
    ]  # fmt: skip
    for name in ("consume", "transcript", "wait"):
        assert hasattr(Client, name)
    for name in (
        "connect", "get", "names", "send_text", "send_binary", "send_ping", "close", "drop",
        "set_answer_pings", "stop_reading", "resume_reading", "wait", "wait_all",
        "last_trigger", "mark_trigger", "reset", "run", "send_many", "last_ping_sent",
        "shutdown", "disconnect",
    ):  # fmt: skip
        assert hasattr(Clients, name), name
    close = inspect.signature(Clients.close).parameters
    assert list(close) == ["self", "name", "code", "reason"]
    assert close["code"].default == 1000 and close["reason"].default == ""
