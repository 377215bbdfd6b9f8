"""Checking messages against JSON Schema files kept in one folder.

``SchemaStore(root)`` loads ``root/<name>`` (``"order.created.json"`` or
``"events/order.json"``), picks the validator from the schema's ``$schema``
(Draft 2020-12 when there is none), checks the schema itself, and caches the
result. A ``$ref`` to another file is resolved against the referring file,
so ``{"$ref": "common.json#/$defs/id"}`` finds ``common.json`` beside it; a
``$ref`` to an absolute ``$id`` finds the file under ``root`` declaring that
``$id``. Nothing is fetched from the network.

``format`` keywords (``date-time``, ``email``, ...) are checked where
jsonschema can check them.

A missing file, a file that is not JSON, an invalid schema, or a ``$ref``
that leads nowhere raises :class:`~wsbdd.core.exceptions.SchemaError` naming the
file, the folder, and ``WSBDD_SCHEMAS`` (the setting that names the folder).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from wsbdd.core.exceptions import SchemaError
from wsbdd.core.matching._paths import PathPart, format_path

if TYPE_CHECKING:
    import referencing
    import referencing.exceptions

# jsonschema and referencing are imported where a schema is first checked, not
# here: they cost a tenth of a second at start-up and most runs check none.

__all__ = [
    "SETTING",
    "SchemaStore",
    "SchemaViolation",
    "load_schema_names",
    "render_violations",
]

SETTING: Final = "WSBDD_SCHEMAS"
"""The environment key naming the schema folder, quoted in error messages."""


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One way an instance breaks its schema.

    ``path`` is the JSON path of the offending value (``$.items[0].qty``),
    ``rule`` the failing keyword (``type``, ``required``, ...), and
    ``message`` jsonschema's sentence (``'2' is not of type 'integer'``).
    """

    path: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} ({self.rule})"


def load_schema_names(root: Path | str) -> list[str]:
    """Every ``*.json`` file under ``root`` as a relative name, sorted (``[]`` if none)."""
    base = Path(root)
    if not base.is_dir():
        return []
    names = [
        path.relative_to(base).as_posix()
        for path in base.rglob("*.json")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(base).parts)
    ]
    return sorted(names)


def render_violations(violations: list[SchemaViolation], limit: int = 10) -> str:
    """One line per violation (``$.qty: 'x' is not of type 'integer' (type)``)."""
    lines = [str(v) for v in violations[:limit]]
    if len(violations) > limit:
        lines.append(f"… and {len(violations) - limit} more")
    return "\n".join(lines)


def _sort_key(path: Any) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in path)


class SchemaStore:
    """The JSON Schema files under ``root``, loaded on first use and cached."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._documents: dict[Path, Any] = {}
        self._validators: dict[str, Any] = {}
        self._ids: dict[str, Path] | None = None

    def names(self) -> list[str]:
        """The schema names available under :attr:`root`."""
        return load_schema_names(self.root)

    # -- loading -----------------------------------------------------------------

    def _where(self) -> str:
        return f"in {self.root} (the folder set by {SETTING})"

    def _path_of(self, name: str) -> Path:
        root = self.root.resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise SchemaError(f"schema {name!r} is outside the schema folder {self._where()}")
        if not path.is_file():
            raise SchemaError(self._not_found(name))
        return path

    def _not_found(self, name: str) -> str:
        available = self.names()
        message = f"schema file {name!r} not found {self._where()}"
        close = difflib.get_close_matches(name, available, n=1)
        if close:
            return f"{message}; did you mean {close[0]!r}?"
        if available:
            shown = ", ".join(available[:10]) + (", …" if len(available) > 10 else "")
            return f"{message}; available: {shown}"
        return f"{message}; the folder has no .json files"

    def _load(self, path: Path) -> Any:
        if path not in self._documents:
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as err:
                raise SchemaError(f"cannot read schema file {path}: {err}") from None
            try:
                self._documents[path] = json.loads(text)
            except json.JSONDecodeError as err:
                raise SchemaError(
                    f"schema file {path} is not valid JSON: {err.msg} "
                    f"at line {err.lineno}, column {err.colno} (folder set by {SETTING})"
                ) from None
        return self._documents[path]

    def schema(self, name: str) -> Any:
        """The parsed schema document ``name``."""
        return self._load(self._path_of(name))

    def _id_index(self) -> dict[str, Path]:
        if self._ids is None:
            self._ids = {}
            for name in self.names():
                path = (self.root / name).resolve()
                try:
                    document = self._load(path)
                except SchemaError:
                    continue
                if isinstance(document, dict):
                    for key in ("$id", "id"):
                        value = document.get(key)
                        if isinstance(value, str) and value:
                            self._ids.setdefault(value.rstrip("#"), path)
        return self._ids

    def _retrieve(self, uri: str) -> referencing.Resource[Any]:
        from urllib.request import url2pathname

        import referencing.exceptions
        import referencing.jsonschema

        parts = urlsplit(uri)
        path: Path | None
        if parts.scheme == "file":
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not path.is_relative_to(self.root.resolve()) or not path.is_file():
                path = None
        else:
            path = self._id_index().get(uri.rstrip("#"))
            if path is None and not parts.scheme and parts.path:
                # A relative reference from a schema whose $id is relative.
                candidate = (self.root / unquote(parts.path)).resolve()
                if candidate.is_relative_to(self.root.resolve()) and candidate.is_file():
                    path = candidate
        if path is None:
            raise referencing.exceptions.NoSuchResource(ref=uri)  # type: ignore[call-arg,unused-ignore]
        return referencing.Resource.from_contents(
            self._load(path), default_specification=referencing.jsonschema.DRAFT202012
        )

    def _validator(self, name: str) -> Any:
        if name in self._validators:
            return self._validators[name]
        import jsonschema.exceptions  # type: ignore[import-untyped,unused-ignore]
        import jsonschema.validators  # type: ignore[import-untyped,unused-ignore]
        import referencing

        path = self._path_of(name)
        schema = self._load(path)
        if not isinstance(schema, dict | bool):
            raise SchemaError(f"schema file {path} must hold a JSON object ({SETTING})")
        cls = jsonschema.validators.validator_for(
            schema, default=jsonschema.validators.Draft202012Validator
        )
        try:
            cls.check_schema(schema)
        except jsonschema.exceptions.SchemaError as err:
            where = format_path(err.absolute_path)
            raise SchemaError(
                f"schema file {path} is not a valid schema: {err.message} at {where} "
                f"(folder set by {SETTING})"
            ) from None
        if isinstance(schema, dict):
            dialect = str(cls.META_SCHEMA.get("$schema", ""))
            id_key = "id" if "draft-03" in dialect or "draft-04" in dialect else "$id"
            if id_key not in schema:
                # Relative $refs resolve against the file itself.
                schema = {id_key: path.as_uri(), **schema}
        registry: referencing.Registry[Any] = referencing.Registry(
            retrieve=self._retrieve  # type: ignore[call-arg,unused-ignore]
        )
        validator = cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)
        self._validators[name] = validator
        return validator

    # -- checking ----------------------------------------------------------------

    def violations(self, instance: Any, name: str) -> list[SchemaViolation]:
        """How ``instance`` breaks schema ``name``, sorted by path; empty when valid."""
        import referencing.exceptions

        validator = self._validator(name)
        try:
            errors = list(validator.iter_errors(instance))
        except referencing.exceptions.Unresolvable as err:
            raise self._unresolvable(name, err) from None
        errors.sort(key=lambda e: (_sort_key(e.absolute_path), str(e.validator), e.message))
        return [self._violation(error) for error in errors]

    def is_valid(self, instance: Any, name: str) -> bool:
        """True when ``instance`` satisfies schema ``name`` (cheap: stops at the first error)."""
        import referencing.exceptions

        validator = self._validator(name)
        try:
            return bool(validator.is_valid(instance))
        except referencing.exceptions.Unresolvable as err:
            raise self._unresolvable(name, err) from None

    def _unresolvable(self, name: str, err: referencing.exceptions.Unresolvable) -> SchemaError:
        return SchemaError(
            f"schema {name!r} {self._where()}: cannot resolve $ref {err.ref!r}{_cause(err)}"
        )

    @staticmethod
    def _violation(error: Any) -> SchemaViolation:
        parts: list[PathPart] = list(error.absolute_path)
        message: str = error.message
        if error.context:
            import jsonschema.exceptions  # type: ignore[import-untyped,unused-ignore]

            best = jsonschema.exceptions.best_match(error.context)
            if best is not None:
                message += f" (closest: {format_path(best.absolute_path)}: {best.message})"
        return SchemaViolation(format_path(parts), message, str(error.validator))


def _cause(err: BaseException) -> str:
    """Why a $ref failed: the SchemaError raised while retrieving it, if any."""
    seen: BaseException | None = err
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, SchemaError):
            return f": {seen}"
        seen = seen.__cause__ or seen.__context__ or getattr(seen, "_wrapped", None)
    return ": no such file, and no schema file declares that $id"
