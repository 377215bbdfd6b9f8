"""Which codec each client of a scenario speaks (docs/codecs.md).

A client's codec is, first to last: the one a step chose (``Given client A's
messages are MessagePack``), the API profile's ``codec``, the environment's
``WSBDD_CODEC``; JSON text by default. A step may come before the client
connects or after (frames already received are decoded again).

``WSBDD_CODEC`` and a profile's ``codec`` are written ``json``, ``msgpack``,
``cbor`` or ``protobuf:<package.Type>:<file.proto or descriptor set>``.
A ``.proto`` path is looked for under the features folder, then the project.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from wsbdd.core.codecs import Codec, codec_named, protobuf_codec
from wsbdd.core.exceptions import ConfigError, UsageError, WsbddError
from wsbdd.core.profiles import Profile
from wsbdd.runtime import Clients

__all__ = ["SETTING", "CodecChoice", "codec_from_setting", "find_file", "protobuf_from"]

SETTING = "WSBDD_CODEC"


def find_file(name: str, folders: Sequence[Path]) -> Path | None:
    """``name`` under the first of ``folders`` that has it, then the current folder."""
    path = Path(name)
    if path.is_absolute():
        return path if path.is_file() else None
    for folder in [*folders, Path("features"), Path.cwd()]:
        if (folder / path).is_file():
            return (folder / path).resolve()
    return None


def protobuf_from(type_name: str, file: str, folders: Sequence[Path]) -> Codec:
    """The Protobuf codec of ``type_name`` in ``file`` (looked for beside the features)."""
    found = find_file(file, folders)
    if found is None:
        raise ConfigError(
            f'Protobuf file "{file}" not found (under the features folder or the project)',
            key=f"Protobuf {type_name}",
        )
    return protobuf_codec(type_name, found)


def codec_from_setting(text: str, folders: Sequence[Path]) -> Codec:
    """The codec a setting names: ``msgpack``, ``cbor``, ``json``, ``protobuf:Type:file``."""
    if text.strip().lower().startswith("protobuf"):
        parts = text.strip().split(":", 2)
        if len(parts) != 3 or not parts[1] or not parts[2]:
            raise UsageError(
                f'"{text}": write protobuf:<package.Type>:<file.proto>, e.g. '
                "protobuf:chat.Envelope:protos/chat.proto"
            )
        return protobuf_from(parts[1].strip(), parts[2].strip(), folders)
    return codec_named(text)


class CodecChoice:
    """The codec of each client: chosen by a step, else the profile's, else the run's."""

    def __init__(
        self,
        setting: str | None,
        source: str,
        profile: Callable[[], Profile | None],
        folders: Callable[[], Sequence[Path]],
        clients: Clients,
    ) -> None:
        self._setting = setting or None
        self._source = source
        self._profile = profile
        self._folders = folders
        self._clients = clients
        self._chosen: dict[str, Codec] = {}
        self._default: Codec | None = None

    def for_client(self, name: str) -> Codec | None:
        """The codec client ``name`` connects with (None: JSON text)."""
        if name in self._chosen:
            return self._chosen[name]
        profile = self._profile()
        if profile is not None and profile.codec:
            try:
                return codec_from_setting(profile.codec, self._folders())
            except WsbddError as err:
                raise ConfigError(str(err), file=profile.source, key="profile.codec") from None
        if self._setting and self._default is None:
            try:
                self._default = codec_from_setting(self._setting, self._folders())
            except WsbddError as err:
                raise ConfigError(str(err), file=self._source, key=SETTING) from None
        return self._default

    def choose(self, name: str, codec: Codec) -> None:
        """``Given client A's messages are …``: from now on, and for what already arrived."""
        self._chosen[name] = codec
        if name in self._clients.names():
            self._clients.use_codec(name, codec)

    def named(self, name: str, codec_name: str) -> None:
        self.choose(name, codec_named(codec_name))

    def protobuf(self, name: str, type_name: str, file: str) -> None:
        self.choose(name, protobuf_from(type_name, file, self._folders()))
