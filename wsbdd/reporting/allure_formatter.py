"""The Allure formatter ``wsbdd run`` uses: allure-behave's, with three additions.

Use it with plain behave too::

    behave -f wsbdd.reporting.allure_formatter:AllureFormatter -o reports/allure-results

1. **Nothing secret is written**: every result, container and attachment
   passes through the run's redactor on its way to disk (step names, doc
   strings, failure messages and traces included); see
   :mod:`wsbdd.reporting.redaction_scope`.
2. **Statuses** follow behave 1.3 (hook errors, pending and undefined steps);
   see :mod:`wsbdd.reporting.statuses`.
3. **Short tags** for labels and links, besides allure-behave's own
   (``@allure.label.owner:alice``, ``@allure.issue:WS-12``, ``@critical``)::

       @owner:alice  @story:reconnect  @feature:chat  @epic:realtime  @suite:smoke
       @severity:critical  @issue:WS-12  @tms:TC-7  @link:https://example.com/spec

   ``@issue:`` and ``@tms:`` values that are not URLs are put into the
   patterns given by ``-D AllureFormatter.issue_pattern=https://tracker/{}``
   (and ``link_pattern``), as allure-behave does.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable
from typing import Any, Final, cast

import allure_commons
from allure_behave import utils as _allure_behave_utils
from allure_behave.formatter import AllureFormatter as _AllureBehaveFormatter
from allure_behave.listener import AllureListener as _AllureBehaveListener
from allure_commons import mapping as _mapping
from allure_commons import utils as _utils
from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import Label, Link
from attr import asdict as _attr_asdict

from wsbdd.core.redaction import Redactor
from wsbdd.reporting.learning import learn_scenario, masked_parameters
from wsbdd.reporting.redaction_scope import current_redactor
from wsbdd.reporting.result_writer import ResultWriter
from wsbdd.reporting.statuses import scenario_outcome, step_outcome

__all__ = [
    "SHORT_TAG_KINDS",
    "AllureFormatter",
    "RedactingFileLogger",
    "WsbddAllureListener",
    "expand_short_tag",
]

SHORT_TAG_KINDS: Final = frozenset(
    {"owner", "story", "feature", "epic", "suite", "severity", "issue", "tms", "link", "id"}
)
"""Tag prefixes understood as ``@kind:value``."""

_LINK_KINDS: Final = frozenset({"issue", "tms", "link"})
_SHORT_TAG: Final = re.compile(r"^(?P<kind>[a-z]+):(?P<value>.+)$")

# allure-commons is untyped: give the few functions used here their types.
_now: Callable[[], int] = _utils.now
_parse_tag: Callable[..., Label | Link] = _mapping.parse_tag
_labels_set: Callable[[list[Label]], list[Label]] = _mapping.labels_set
_asdict: Callable[..., dict[str, Any]] = _attr_asdict


def expand_short_tag(tag: str) -> str | None:
    """allure-behave's spelling of a short tag: ``owner:alice`` -> ``allure.label.owner:alice``."""
    found = _SHORT_TAG.match(tag)
    if found is None or found["kind"] not in SHORT_TAG_KINDS:
        return None
    kind, value = found["kind"], found["value"]
    if kind in _LINK_KINDS:
        return f"allure.{kind}:{value}"
    if kind == "id":
        return f"allure.id:{value}"
    return f"allure.label.{kind}:{value}"


def _tags(scenario: Any) -> list[str]:
    tags = getattr(scenario, "effective_tags", None)
    if tags is None:
        tags = list(scenario.feature.tags) + list(scenario.tags)
    return [str(tag) for tag in tags]


class WsbddAllureListener(_AllureBehaveListener):  # type: ignore[misc]
    """allure-behave's listener with behave 1.3 statuses and short tags."""

    current_scenario_uuid: str | None
    current_step_uuid: str | None

    def start_scenario(self, scenario: Any) -> None:
        redactor = current_redactor()
        if redactor is not None:  # before its tables are attached (as CSV) at each step
            learn_scenario(redactor, scenario)
        super().start_scenario(scenario)
        test = self.logger.get_test(self.current_scenario_uuid)
        if test is None:
            return
        masked_parameters(test.parameters)
        shorts = {tag: expand_short_tag(tag) for tag in _tags(scenario)}
        shorts = {tag: full for tag, full in shorts.items() if full is not None}
        if not shorts:
            return
        labels = [
            label for label in test.labels if not (label.name == "tag" and label.value in shorts)
        ]
        for full in shorts.values():
            parsed = _parse_tag(
                full, issue_pattern=self.issue_pattern, link_pattern=self.link_pattern
            )
            if isinstance(parsed, Link):
                if all(link.url != parsed.url for link in test.links):
                    test.links.append(parsed)
            elif isinstance(parsed, Label):
                labels.append(parsed)
        test.labels = _labels_set(labels)

    def stop_behave_step(self, result: Any) -> None:
        status, details = step_outcome(result)
        self.logger.stop_step(
            self.current_step_uuid, stop=_now(), status=status, statusDetails=details
        )

    def stop_scenario(self, scenario: Any) -> None:
        # Mirrors allure-behave 2.16's stop_scenario; only the status differs.
        config = self.behave_config
        tag_expression = getattr(config, "tag_expression", None)
        if tag_expression is None:
            tag_expression = getattr(config, "tags", None)
        should_run = scenario.should_run_with_tags(tag_expression)
        should_run = should_run and scenario.should_run_with_name_select(config)
        drop_skipped = scenario.status == "skipped" and not config.show_skipped
        drop_excluded = self.hide_excluded and (
            scenario.skip_reason == _allure_behave_utils.TEST_PLAN_SKIP_REASON or not should_run
        )
        if drop_skipped or drop_excluded:
            self.logger.drop_test(self.current_scenario_uuid)
        else:
            status, details = scenario_outcome(scenario)
            self.flush_steps()
            test_result = self.logger.get_test(self.current_scenario_uuid)
            test_result.stop = _now()
            test_result.status = status
            test_result.statusDetails = details
            self.logger.close_test(self.current_scenario_uuid)
            self.current_step_uuid = None
            self.group_context.append_test(self.current_scenario_uuid)
            self.group_context.exit()
        self.current_scenario_uuid = None


def _redacted_json(redactor: Redactor, data: Any, text: str, indent: int | None) -> str:
    """The result as JSON text, redacted in one pass (a secret taught late in it counts too).

    Should the masks ever break the JSON, each value is redacted on its own instead.
    """
    redacted = redactor.text(text)
    if redacted is text:
        return text  # nothing was masked: still the JSON it was
    try:
        json.loads(redacted)
    except ValueError:
        return json.dumps(redactor.value(data), indent=indent, ensure_ascii=False)
    return redacted


class RedactingFileLogger(AllureFileLogger):
    """allure-commons' results writer, hiding the run's secrets in everything it writes.

    The redacted bytes are written by a :class:`ResultWriter` thread, off the
    scenario's path; ``flush`` (called by the formatter's ``close``) waits for them.
    """

    _report_dir: Any

    def __init__(self, report_dir: Any, clean: bool = False) -> None:
        super().__init__(report_dir, clean)  # type: ignore[no-untyped-call]
        self.writer = ResultWriter()

    def flush(self) -> None:
        """Wait until every result and attachment handed in is on disk."""
        self.writer.flush()

    def _report_item(self, item: Any) -> None:
        # As AllureFileLogger._report_item, with the data redacted before it is written.
        data = _asdict(item, filter=lambda _, v: v or v is False)
        indent = 4 if os.environ.get("ALLURE_INDENT_OUTPUT") else None
        text = json.dumps(data, indent=indent, ensure_ascii=False)
        redactor = current_redactor()
        if redactor is not None:
            text = _redacted_json(redactor, data, text, indent)
        filename = item.file_pattern.format(prefix=uuid.uuid4())
        self.writer.write(self._report_dir / filename, text.encode("utf8"))

    @allure_commons.hookimpl
    def report_attached_data(self, body: str | bytes, file_name: str) -> None:
        redactor = current_redactor()
        if redactor is not None:
            body = redactor.text(body) if isinstance(body, str) else redactor.bytes(body)
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.writer.write(self._report_dir / file_name, data)


class AllureFormatter(_AllureBehaveFormatter):  # type: ignore[misc]
    """Writes Allure results into the ``-o`` folder, with wsbdd's listener."""

    name = "wsbdd-allure"
    description = "Allure results (behave 1.3 statuses, short label tags)"
    listener: Any
    file_logger: Any

    def __init__(self, stream_opener: Any, config: Any) -> None:
        super().__init__(stream_opener, config)
        manager = allure_commons.plugin_manager
        manager.unregister(self.listener)
        manager.unregister(self.file_logger)
        self.listener = WsbddAllureListener(config)
        self.file_logger = cast(Any, RedactingFileLogger)(self.stream_opener.name)
        manager.register(self.listener)
        manager.register(self.file_logger)

    def close(self) -> None:
        """Write every pending result file, then unregister (as allure-behave's close)."""
        try:
            self.file_logger.flush()
        finally:
            super().close()

    def feature(self, feature: Any) -> None:
        """Every scenario gets an Allure result, those inside a ``Rule:`` too.

        allure-behave wraps only ``feature.scenarios``; behave 1.3 keeps a
        rule's scenarios in ``rule.scenarios`` (and a rule may hold rules), so
        without this they had no result and attaching to them failed.
        """
        super().feature(feature)
        pending = list(getattr(feature, "rules", None) or ())
        while pending:
            rule = pending.pop()
            self._wrap_scenario(rule.scenarios)
            pending.extend(getattr(rule, "rules", None) or ())
