"""A failed message expectation as a report attachment: expected, closest, diff.

When a receive step fails, the failed step in the report gets:

``failure diff`` (text)
    the expected JSON (pretty-printed), the received message nearest to it
    (with its time ``t=`` since the scenario started, as in the transcript) and
    one line per difference,
    ``$.from: expected "alice", got "bob"``;
``failure.json`` (JSON)
    the same, structured.

Built from the optional fields of :class:`~wsbdd.core.exceptions.ExpectationFailed`
(``client``, ``expected``, ``closest``, ``diff``); failures without them get no
attachment (their message already says everything).
"""

from __future__ import annotations

import json
from typing import Any

from wsbdd.core.exceptions import ExpectationFailed
from wsbdd.core.matching.matchers import MISSING, Mismatch
from wsbdd.core.records import Message
from wsbdd.core.redaction import Redactor
from wsbdd.reporting._allure import attach_json, attach_text
from wsbdd.reporting.payloads import json_payload

__all__ = ["attach_failure", "failure_json", "has_details", "render_failure"]


def has_details(error: BaseException | None) -> bool:
    """True for an :class:`ExpectationFailed` that names an expected value or a message."""
    return isinstance(error, ExpectationFailed) and (
        error.expected is not None or error.closest is not None
    )


def _plain(value: Any) -> Any:
    """A JSON-ready value: the MISSING marker becomes ``"(missing)"``."""
    return "(missing)" if value is MISSING else value


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _message_json(message: Message, origin: float, redactor: Redactor) -> dict[str, Any]:
    record: dict[str, Any] = {
        "index": message.index,
        "t_ms": round((message.received_at - origin) * 1000, 3),
        "kind": message.kind,
    }
    if message.is_json:
        record.update(json_payload(redactor, message.data, message.payload))
    else:
        record.update(json_payload(redactor, message.data))
    return record


def _mismatch_json(mismatch: Mismatch, redactor: Redactor) -> dict[str, Any]:
    return {
        "path": mismatch.path,
        "expected": redactor.value(_plain(mismatch.expected)),
        "actual": redactor.value(_plain(mismatch.actual)),
        "reason": redactor.text(mismatch.reason),
    }


def failure_json(error: ExpectationFailed, origin: float, redactor: Redactor) -> dict[str, Any]:
    """The failure as a JSON-ready record (times since ``origin``, redacted)."""
    closest = error.closest
    return {
        "client": error.client,
        "message": redactor.text(str(error)),
        "expected": redactor.value(error.expected),
        "closest": None if closest is None else _message_json(closest, origin, redactor),
        "diff": [_mismatch_json(m, redactor) for m in error.diff],
    }


def render_failure(
    error: ExpectationFailed,
    origin: float,
    redactor: Redactor,
    record: dict[str, Any] | None = None,
) -> str:
    """Expected value, closest message and differences, for a person to read.

    ``record`` is :func:`failure_json` of the same error, when already built.
    """
    record = failure_json(error, origin, redactor) if record is None else record
    lines = [record["message"].splitlines()[0], ""]
    if error.expected is not None:
        lines += ["expected:", _indent(_pretty(record["expected"])), ""]
    closest = record["closest"]
    if closest is None:
        lines += ["closest message: none (no message was received)", ""]
    else:
        lines.append(
            f"closest message: #{closest['index']}, received at t={closest['t_ms']:.1f} ms "
            f"(t = time since the scenario started)"
        )
        body = closest.get("json", closest.get("text", closest.get("hex")))
        shown = _pretty(body) if "json" in closest else str(body)
        lines += [_indent(shown), ""]
    if record["diff"]:
        lines.append("diff:")
        lines.extend(f"  {m['path']}: {m['reason']}" for m in record["diff"])
    elif closest is not None:
        lines.append("diff: (see the failure message)")
    return "\n".join(lines).rstrip() + "\n"


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def attach_failure(error: BaseException | None, origin: float, redactor: Redactor) -> bool:
    """Attach the failure diff of ``error`` if it has details; True when attached."""
    if not isinstance(error, ExpectationFailed) or not has_details(error):
        return False
    record = failure_json(error, origin, redactor)
    attach_text(render_failure(error, origin, redactor, record), "failure diff")
    attach_json(record, "failure.json")
    return True
