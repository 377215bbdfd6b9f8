"""Loading an AsyncAPI 2.6 or 3.0 document into a :class:`~wsbdd.core.contracts.model.Contract`.

How the document's parts become what wsbdd checks:

* **3.0**: each ``operations`` entry names its channel and (optionally) its
  messages; ``action: send`` means the API sends them (the client
  *receives*), ``action: receive`` that the API receives them (the client
  *sends*). An operation without ``messages`` carries every message of its
  channel.
* **2.x** (2.0 to 2.6): a channel's ``subscribe`` operation holds what the
  client receives, ``publish`` what it sends; ``message`` is one message or
  ``oneOf`` several.
* A message is named by its ``name``, else its ``messageId``, else its key
  (``components/messages/<key>``, or the channel's ``messages/<key>``); steps
  may use any of the three.
* The payload is a JSON Schema (AsyncAPI's schema format, a superset of
  draft 7, or ``application/schema+json``); ``$ref`` work across files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wsbdd.core.contracts.files import ContractFiles, Located
from wsbdd.core.contracts.model import (
    Contract,
    ContractChannel,
    ContractMessage,
    ContractOperation,
    Direction,
    address_pattern,
)
from wsbdd.core.exceptions import ContractError

__all__ = ["load_contract"]

_SCHEMA_FORMATS = ("application/vnd.aai.asyncapi", "application/schema+json")


def load_contract(path: Path | str) -> Contract:
    """Read the document at ``path`` (YAML or JSON) and every file it ``$ref``s."""
    file = Path(path)
    if not file.is_file():
        raise ContractError(f"AsyncAPI document {file} not found")
    files = ContractFiles(file)
    root = files.document()
    if not isinstance(root.node, dict):
        raise ContractError(f"{file}: an AsyncAPI document is a mapping at the top")
    version = str(root.node.get("asyncapi", ""))
    title = str((root.node.get("info") or {}).get("title", file.name))
    builder = _Builder(files, file)
    if version.startswith("3."):
        builder.version_3(root)
    elif version.startswith("2."):
        builder.version_2(root)
    else:
        raise ContractError(
            f'{file}: "asyncapi: {version or "(missing)"}": wsbdd reads AsyncAPI 2.x and 3.x'
        )
    if not builder.messages:
        raise ContractError(f"{file}: the document has no operation with a message")
    return Contract(
        file,
        version,
        title,
        tuple(builder.channels.values()),
        tuple(builder.operations),
        tuple(builder.messages),
    )


class _Builder:
    def __init__(self, files: ContractFiles, file: Path) -> None:
        self.files = files
        self.file = file
        self.channels: dict[str, ContractChannel] = {}
        self.operations: list[ContractOperation] = []
        self.messages: list[ContractMessage] = []

    # -- 3.0 ---------------------------------------------------------------------

    def version_3(self, root: Located) -> None:
        channels = self._mapping(root, "channels")
        by_location: dict[str, tuple[ContractChannel, Located]] = {}
        for key in channels.node:
            located = self.files.resolve(channels.child(key))
            address = located.node.get("address") if isinstance(located.node, dict) else None
            channel = self._channel(str(key), address if isinstance(address, str) else None)
            by_location[located.location] = (channel, located)
            by_location[channels.child(key).location] = (channel, located)
        operations = self._mapping(root, "operations")
        for key in operations.node:
            operation = self.files.resolve(operations.child(key))
            node = operation.node if isinstance(operation.node, dict) else {}
            action = node.get("action")
            if action not in ("send", "receive"):
                raise ContractError(
                    f'{self.file}: operations.{key}: action must be "send" or "receive"'
                )
            ref = node.get("channel")
            if not isinstance(ref, dict) or "$ref" not in ref:
                raise ContractError(f"{self.file}: operations.{key}: channel must be a $ref")
            target = self.files.resolve(operation.child("channel"))
            if target.location not in by_location:
                raise ContractError(
                    f"{self.file}: operations.{key}: channel {ref['$ref']!r} is not in channels"
                )
            channel, channel_node = by_location[target.location]
            direction: Direction = "received" if action == "send" else "sent"
            self.operations.append(ContractOperation(str(key), channel, direction))
            for message, message_key in self._operation_messages_3(operation, channel_node):
                self._message(message, message_key, channel, direction, str(key))

    def _operation_messages_3(
        self, operation: Located, channel: Located
    ) -> list[tuple[Located, str]]:
        node = operation.node
        if isinstance(node.get("messages"), list):
            refs = operation.child("messages")
            return [
                (self.files.resolve(refs.child(i)), _last_key(refs.node[i]))
                for i in range(len(refs.node))
            ]
        messages = channel.node.get("messages") if isinstance(channel.node, dict) else None
        if not isinstance(messages, dict):
            return []
        located = channel.child("messages")
        return [(self.files.resolve(located.child(k)), str(k)) for k in messages]

    # -- 2.x ---------------------------------------------------------------------

    def version_2(self, root: Located) -> None:
        channels = self._mapping(root, "channels")
        for address in channels.node:
            item = self.files.resolve(channels.child(address))
            if not isinstance(item.node, dict):
                continue
            channel = self._channel(str(address), str(address))
            for verb, direction in (("subscribe", "received"), ("publish", "sent")):
                if verb not in item.node:
                    continue
                operation = self.files.resolve(item.child(verb))
                op_node = operation.node if isinstance(operation.node, dict) else {}
                op_id = str(op_node.get("operationId") or f"{verb} {address}")
                self.operations.append(ContractOperation(op_id, channel, direction))  # type: ignore[arg-type]
                if "message" not in op_node:
                    continue
                message = operation.child("message")
                found = self.files.resolve(message)
                if isinstance(found.node, dict) and isinstance(found.node.get("oneOf"), list):
                    options = found.child("oneOf")
                    for i in range(len(options.node)):
                        self._message(
                            self.files.resolve(options.child(i)),
                            _last_key(options.node[i]) or f"{op_id} message {i + 1}",
                            channel,
                            direction,  # type: ignore[arg-type]
                            op_id,
                        )
                else:
                    self._message(
                        found,
                        _last_key(message.node) or f"{op_id} message",
                        channel,
                        direction,  # type: ignore[arg-type]
                        op_id,
                    )

    # -- shared ------------------------------------------------------------------

    def _mapping(self, root: Located, key: str) -> Located:
        node = root.node.get(key)
        if node is None:
            return Located({}, root.uri, f"/{key}")
        if not isinstance(node, dict):
            raise ContractError(f"{self.file}: {key} must be a mapping")
        return root.child(key)

    def _channel(self, key: str, address: str | None) -> ContractChannel:
        if key not in self.channels:
            pattern = address_pattern(address) if address else None
            self.channels[key] = ContractChannel(key, address, pattern)
        return self.channels[key]

    def _message(
        self,
        message: Located,
        key: str,
        channel: ContractChannel,
        direction: Direction,
        operation: str,
    ) -> None:
        node = message.node
        if not isinstance(node, dict):
            raise ContractError(f"{self.file}: message {key!r} must be a mapping")
        spellings = [node.get("name"), node.get("messageId"), key]
        names = [str(s) for s in spellings if isinstance(s, str) and s]
        schema_uri, constants = self._payload(message, names[0])
        self.messages.append(
            ContractMessage(
                names[0],
                frozenset(names[1:]) - {names[0]},
                channel,
                direction,
                operation,
                schema_uri,
                constants,
            )
        )

    def _payload(
        self, message: Located, name: str
    ) -> tuple[str | None, tuple[tuple[str, Any], ...]]:
        node = message.node
        if "payload" not in node:
            return None, ()
        payload = self.files.resolve(message.child("payload"))
        schema_format = node.get("schemaFormat")
        if (
            isinstance(payload.node, dict)
            and "schemaFormat" in payload.node
            and "schema" in payload.node
        ):
            schema_format = payload.node["schemaFormat"]  # 3.0 multi-format schema object
            payload = self.files.resolve(payload.child("schema"))
        if schema_format is not None and not str(schema_format).startswith(_SCHEMA_FORMATS):
            raise ContractError(
                f"{self.file}: message {name!r}: schema format {schema_format!r} is not "
                "supported (wsbdd checks AsyncAPI and JSON Schema payloads)"
            )
        return payload.location, self._constants(payload)

    def _constants(self, schema: Located) -> tuple[tuple[str, Any], ...]:
        """Top-level payload fields whose value the schema fixes (also through allOf)."""
        found: dict[str, Any] = {}
        pending = [schema]
        for _ in range(8):
            if not pending:
                break
            current = pending.pop()
            node = current.node
            if not isinstance(node, dict):
                continue
            properties = node.get("properties")
            if isinstance(properties, dict):
                located = current.child("properties")
                for field in properties:
                    prop = self.files.resolve(located.child(field)).node
                    if isinstance(prop, dict) and "const" in prop:
                        found.setdefault(str(field), prop["const"])
                    elif isinstance(prop, dict) and _single(prop.get("enum")):
                        found.setdefault(str(field), prop["enum"][0])
            if isinstance(node.get("allOf"), list):
                parts = current.child("allOf")
                pending += [self.files.resolve(parts.child(i)) for i in range(len(parts.node))]
        return tuple(sorted(found.items()))


def _single(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 1


def _last_key(node: Any) -> str:
    """``OrderCreated`` for ``{"$ref": "#/components/messages/OrderCreated"}``; else ``""``."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rstrip("/").rsplit("/", 1)[-1]
    return ""
