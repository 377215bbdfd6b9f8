"""Protobuf frames: one message type from a ``.proto`` file (compiled at run time) or descriptors.

``.proto`` files are compiled with the ``protoc`` that the ``grpcio-tools``
wheel ships (``python -m grpc_tools.protoc --descriptor_set_out``, imports
included), once per content: the descriptor set is cached under
``~/.cache/wsbdd/protobuf`` (``WSBDD_CACHE_DIR`` moves it), keyed by the
hash of every ``.proto`` in the file's folder. A ``.desc``/``.pb`` file is
read as a ``FileDescriptorSet`` as it is.

Frames decode to protobuf's own JSON mapping with the field names as written
in the ``.proto`` (``preserving_proto_field_name``); unset proto3 fields are
left out; 64-bit integers are strings, bytes base64, as that mapping says.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import DecodeError, Message

from wsbdd.core.codecs.base import CodecError, FrameMismatch
from wsbdd.core.exceptions import ConfigError

__all__ = ["ProtobufCodec", "load_message_type"]

_COMPILE_TIMEOUT = 60.0


class ProtobufCodec:
    """Protobuf frames of one message type."""

    binary = True

    def __init__(self, message_type: type[Message], type_name: str) -> None:
        self._type = message_type
        self.type_name = type_name
        self.name = f"protobuf {type_name}"

    def decode(self, data: str | bytes) -> Any:
        if isinstance(data, str):
            raise FrameMismatch(f"a text frame, but the messages are Protobuf {self.type_name}")
        try:
            message = self._type.FromString(data)
        except (DecodeError, ValueError) as exc:
            raise CodecError(f"not a Protobuf {self.type_name}: {exc}") from None
        return json_format.MessageToDict(message, preserving_proto_field_name=True)

    def encode(self, value: Any) -> bytes:
        try:
            message = json_format.ParseDict(value, self._type())
        except (json_format.ParseError, TypeError, ValueError) as exc:
            raise CodecError(f"cannot be encoded as Protobuf {self.type_name}: {exc}") from None
        return bytes(message.SerializeToString())


def load_message_type(type_name: str, source: Path) -> ProtobufCodec:
    """The codec for ``type_name`` (``chat.Envelope``) from a ``.proto`` or descriptor set."""
    if not source.is_file():
        raise ConfigError(f'Protobuf file "{source}" not found', file=_shown(source))
    return _load(type_name, source.resolve(), _fingerprint(source.resolve()))


def _shown(path: Path) -> str:
    """``features/protos/chat.proto``: relative to the current folder where it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@cache
def _load(type_name: str, source: Path, fingerprint: str) -> ProtobufCodec:
    data = _compiled(source, fingerprint) if source.suffix == ".proto" else source.read_bytes()
    try:
        descriptors = descriptor_pb2.FileDescriptorSet.FromString(data)
    except DecodeError as exc:
        raise ConfigError(f"not a Protobuf descriptor set: {exc}", file=_shown(source)) from None
    pool = descriptor_pool.DescriptorPool()
    for file in descriptors.file:
        pool.Add(file)
    try:
        descriptor = pool.FindMessageTypeByName(type_name)
    except KeyError:
        known = sorted(
            f"{f.package}.{m.name}".lstrip(".") for f in descriptors.file for m in f.message_type
        )
        raise ConfigError(
            f'no message type "{type_name}" (it has: {", ".join(known) or "none"})',
            file=_shown(source),
        ) from None
    return ProtobufCodec(message_factory.GetMessageClass(descriptor), type_name)


def _fingerprint(source: Path) -> str:
    digest = hashlib.sha256(str(source).encode())
    folder = source.parent if source.suffix == ".proto" else None
    files = sorted(folder.rglob("*.proto")) if folder is not None else [source]
    for file in files:
        digest.update(str(file).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:32]


def _cache_dir() -> Path:
    root = os.environ.get("WSBDD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "wsbdd"
    )
    return Path(root) / "protobuf"


def _compiled(source: Path, fingerprint: str) -> bytes:
    """The descriptor set of ``source`` and its imports, from the cache or protoc."""
    cached = _cache_dir() / f"{source.stem}-{fingerprint}.desc"
    if cached.is_file():
        return cached.read_bytes()
    try:
        import grpc_tools  # noqa: F401  (only to say what to install)
    except ImportError:
        raise ConfigError(
            'compiling .proto files needs grpcio-tools: pip install "wsbdd[protobuf]" '
            "(or give a descriptor set made with protoc --descriptor_set_out)",
            file=_shown(source),
        ) from None
    from importlib import resources

    well_known = resources.files("grpc_tools") / "_proto"
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    command = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{source.parent}",
        f"-I{well_known}",
        "--include_imports",
        f"--descriptor_set_out={partial}",
        str(source),
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_COMPILE_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise ConfigError(
            f"protoc did not finish within {_COMPILE_TIMEOUT:g} s", file=_shown(source)
        ) from None
    if done.returncode != 0 or not partial.is_file():
        errors = (done.stderr or done.stdout).strip().splitlines()
        raise ConfigError(
            "protoc cannot compile it: " + "; ".join(errors[:3] or ["no output"]),
            file=_shown(source),
        )
    partial.replace(cached)
    return cached.read_bytes()
