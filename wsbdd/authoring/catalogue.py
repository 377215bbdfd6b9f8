"""The step catalogue: every phrase of the library, grouped, with its meaning and examples.

The phrases come from behave's step registry (filled by importing
:mod:`wsbdd.steps`); the one-line meaning is the first line of each step
function's docstring; the examples come from ``examples.feature`` beside this
module (each example line is matched against the registry to find its step).
``wsbdd steps`` prints the catalogue, and ``docs/steps.md`` is
:func:`render_markdown` of it.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

__all__ = [
    "GROUPS",
    "Catalogue",
    "Entry",
    "Example",
    "Group",
    "GroupInfo",
    "StepMatcher",
    "candidates_for",
    "definitions_matching",
    "library_catalogue",
    "load_examples",
    "registry_steps",
    "render_markdown",
    "render_text",
    "step_registry",
]

StepMatcher = Any
"""A behave step matcher (``behave.matchers.Matcher``): ``func``, ``pattern``, ``match()``."""

_LIBRARY_PACKAGE = "wsbdd.steps"


@dataclass(frozen=True)
class GroupInfo:
    """How one step module is presented: its title, a sentence, its place."""

    module: str
    title: str
    intro: str


GROUPS: tuple[GroupInfo, ...] = (
    GroupInfo(
        "environment_steps",
        "Environment, variables and tokens",
        "Set up the scenario: the server, the default timeout, variables and tokens.",
    ),
    GroupInfo(
        "connection_steps",
        "Connecting, handshakes and closing",
        "Open connections as a user, check the handshake, close them and check how they closed.",
    ),
    GroupInfo(
        "sending_steps",
        "Sending",
        "Send JSON, text, binary frames and protocol pings. ${variables} are filled in.",
    ),
    GroupInfo(
        "receiving_steps",
        "Receiving and asserting",
        "Expected JSON is a partial match: keys you write must match, others are ignored.",
    ),
    GroupInfo(
        "codec_steps",
        "Binary frames and codecs",
        "MessagePack, CBOR and Protobuf decoded for the JSON steps; binary frames as hex "
        "(docs/codecs.md).",
    ),
    GroupInfo(
        "event_steps",
        "Named events (SSE, Socket.IO)",
        "Events matched on their name (SSE event:, a Socket.IO event) and, given JSON, their "
        "payload (partial match).",
    ),
    GroupInfo(
        "socketio_steps",
        "Socket.IO emits and acks",
        "Emit an event (with an ack to check) on a connection made over Socket.IO "
        "(docs/socketio.md).",
    ),
    GroupInfo(
        "channel_steps",
        "Channels, through the API profile",
        "Subscribe, publish and check deliveries without writing the API's JSON: "
        "the API profile knows how.",
    ),
    GroupInfo(
        "timing_steps",
        "Timing",
        "Delivery latency percentiles over what one client published and another received.",
    ),
    GroupInfo(
        "heartbeat_steps",
        "Heartbeats and slow consumers",
        "Clients that stop answering pings, stay idle, or stop reading.",
    ),
    GroupInfo(
        "http_steps",
        "HTTP triggers",
        "Requests to the HTTP side of the API (WSBDD_HTTP_URL), and checks on the response.",
    ),
    GroupInfo(
        "server_steps",
        "Server control and leaks",
        "Restart, stop and start the managed server; memory and metrics.",
    ),
    GroupInfo(
        "crowd_steps",
        "Crowds",
        "Many anonymous clients at once: connect, subscribe, reconnect, churn.",
    ),
    GroupInfo(
        "contract_steps",
        "AsyncAPI contracts",
        "Check frames against the API's AsyncAPI 2.6/3.0 contract: by message name, one client, "
        "or the whole scenario (docs/asyncapi.md).",
    ),
    GroupInfo(
        "mock_steps",
        "A mock server, to test a client app",
        "wsbdd plays the server; the app under test is the client: scripted replies, "
        "disruptions, and how the app's clients reconnect (docs/testing-client-apps.md).",
    ),
)
"""Known step modules of :mod:`wsbdd.steps`, in catalogue order."""


@dataclass(frozen=True)
class Example:
    """One example step: the line as written (keyword included), with its doc string/table."""

    keyword: str
    step_type: str
    name: str
    line: int
    text: str | None = None
    table: tuple[tuple[str, ...], ...] | None = None

    @property
    def phrase(self) -> str:
        """The example line: ``When client A sends {"type": "ping"}``."""
        return f"{self.keyword} {self.name}"

    def gherkin(self, indent: str = "") -> list[str]:
        """The example as Gherkin lines, with its doc string or table."""
        lines = [f"{indent}{self.phrase}"]
        if self.text is not None:
            lines.append(f'{indent}  """')
            lines.extend(f"{indent}  {row}" for row in self.text.splitlines())
            lines.append(f'{indent}  """')
        if self.table:
            widths = [max(len(row[i]) for row in self.table) for i in range(len(self.table[0]))]
            for row in self.table:
                cells = " | ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                )
                lines.append(f"{indent}  | {cells} |")
        return lines


@dataclass(frozen=True)
class Entry:
    """One step definition: its phrase pattern, meaning and examples."""

    function: Callable[..., Any]
    step_types: tuple[str, ...]
    pattern: str
    summary: str
    examples: tuple[Example, ...]

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def module(self) -> str:
        return str(self.function.__module__)

    @property
    def keywords(self) -> str:
        """``Given/When/Then`` for a step usable anywhere, else the types it is defined for."""
        if "step" in self.step_types:
            return "Given/When/Then"
        return "/".join(t.title() for t in self.step_types)


@dataclass(frozen=True)
class Group:
    """The steps of one step module."""

    info: GroupInfo
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Catalogue:
    """Every step of the library, grouped; plus the examples that matched nothing."""

    groups: tuple[Group, ...]
    unmatched_examples: tuple[Example, ...] = field(default=())
    ambiguous_examples: tuple[tuple[Example, tuple[str, ...]], ...] = field(default=())

    def entries(self) -> list[Entry]:
        return [entry for group in self.groups for entry in group.entries]

    def filtered(self, words: Sequence[str]) -> Catalogue:
        """Only the entries that mention every word (case-insensitive, parts of words too).

        Searched: the group's title and description, the step's phrase and whole
        docstring, and its examples with their doc strings and tables, so
        ``presence`` finds the steps whose examples receive presence messages.
        """
        wanted = [w.lower() for w in words]

        def keep(group: Group, entry: Entry) -> bool:
            haystack = " ".join(_searchable(group, entry)).lower()
            return all(w in haystack for w in wanted)

        groups = [Group(g.info, tuple(e for e in g.entries if keep(g, e))) for g in self.groups]
        return Catalogue(tuple(g for g in groups if g.entries))


def _searchable(group: Group, entry: Entry) -> list[str]:
    """Every text of an entry that ``wsbdd steps WORDS`` searches."""
    texts = [group.info.title, group.info.intro]
    texts.append(inspect.getdoc(entry.function) or entry.summary)
    for example in entry.examples:
        texts.append(example.name)
        if example.text is not None:
            texts.append(example.text)
        for row in example.table or ():
            texts.extend(row)
    return texts


def step_registry() -> Any:
    """The registry behave's step decorators and runner use, with the library registered.

    That is the one ``behave.runner`` imported: behave's main puts a fresh, empty
    ``behave.step_registry.registry`` in place before each run, but the
    decorators (``from behave import step``) and the runner keep the first one.
    """
    from behave.runner import the_step_registry

    import wsbdd.steps  # noqa: F401  (registers every step)

    return the_step_registry


def registry_steps() -> dict[str, list[StepMatcher]]:
    """behave's step registry after importing the library: step type -> matchers."""
    steps: dict[str, list[StepMatcher]] = step_registry().steps
    return steps


def candidates_for(steps: dict[str, list[StepMatcher]], step_type: str) -> list[StepMatcher]:
    """The definitions behave tries for a step of this type, in behave's order."""
    if step_type == "step":
        return list(steps["step"])
    return [*steps.get(step_type, []), *steps["step"]]


def definitions_matching(
    steps: dict[str, list[StepMatcher]], step_type: str, name: str
) -> list[StepMatcher]:
    """Every definition (one per function) that matches the step text."""
    found: list[StepMatcher] = []
    for matcher in candidates_for(steps, step_type):
        if matcher.matches(name) and all(m.func is not matcher.func for m in found):
            found.append(matcher)
    return found


@cache
def load_examples() -> tuple[Example, ...]:
    """The example steps shipped in ``examples.feature``."""
    from behave.parser import parse_feature

    source = resources.files("wsbdd.authoring").joinpath("examples.feature")
    feature = parse_feature(source.read_text(encoding="utf-8"), None, "examples.feature")
    examples: list[Example] = []
    for scenario in feature.scenarios:
        for step in scenario.steps:
            table = None
            if step.table is not None:
                table = (
                    tuple(step.table.headings),
                    *(tuple(row.cells) for row in step.table.rows),
                )
            examples.append(
                Example(
                    keyword=step.keyword,
                    step_type=step.step_type,
                    name=step.name,
                    line=step.line,
                    text=step.text,
                    table=table,
                )
            )
    return tuple(examples)


def _summary(func: Callable[..., Any]) -> str:
    doc = inspect.getdoc(func) or ""
    return doc.splitlines()[0].strip() if doc else ""


def _group_info(module: str) -> GroupInfo:
    short = module.rsplit(".", 1)[-1]
    for info in GROUPS:
        if info.module == short:
            return info
    title = short.removesuffix("_steps").replace("_", " ").capitalize()
    doc = (inspect.getdoc(importlib.import_module(module)) or "").splitlines()
    return GroupInfo(short, title, doc[0] if doc else "")


def _build(
    steps: dict[str, list[StepMatcher]], examples: Iterable[Example], package: str
) -> Catalogue:
    by_func: dict[Callable[..., Any], list[StepMatcher]] = {}
    for step_type in ("given", "when", "then", "step"):
        for matcher in steps.get(step_type, []):
            if str(matcher.func.__module__).startswith(package):
                by_func.setdefault(matcher.func, []).append(matcher)

    found: dict[Callable[..., Any], list[Example]] = {func: [] for func in by_func}
    unmatched: list[Example] = []
    ambiguous: list[tuple[Example, tuple[str, ...]]] = []
    for example in examples:
        matching = definitions_matching(steps, example.step_type, example.name)
        if not matching:
            unmatched.append(example)
        elif len(matching) > 1:
            ambiguous.append((example, tuple(m.func.__name__ for m in matching)))
        elif matching[0].func in found:
            found[matching[0].func].append(example)

    entries: dict[str, list[Entry]] = {}
    for func, matchers in by_func.items():
        entries.setdefault(str(func.__module__), []).append(
            Entry(
                function=func,
                step_types=tuple(m.step_type for m in matchers),
                pattern=str(matchers[0].pattern).removeprefix("^").removesuffix("$"),
                summary=_summary(func),
                examples=tuple(found[func]),
            )
        )

    order = {info.module: index for index, info in enumerate(GROUPS)}
    groups = []
    for module in sorted(entries, key=lambda m: (order.get(m.rsplit(".", 1)[-1], len(order)), m)):

        def position(entry: Entry) -> int:
            return entry.examples[0].line if entry.examples else 1_000_000

        groups.append(Group(_group_info(module), tuple(sorted(entries[module], key=position))))
    return Catalogue(tuple(groups), tuple(unmatched), tuple(ambiguous))


def library_catalogue() -> Catalogue:
    """The catalogue of the wsbdd step library."""
    return _build(registry_steps(), load_examples(), _LIBRARY_PACKAGE)


def render_text(catalogue: Catalogue) -> str:
    """The catalogue for a terminal: groups, then each phrase's example and meaning."""
    out: list[str] = []
    for group in catalogue.groups:
        out.append(group.info.title)
        out.append("=" * len(group.info.title))
        if group.info.intro:
            out.append(group.info.intro)
        out.append("")
        for entry in group.entries:
            if entry.examples:
                out.extend(entry.examples[0].gherkin("  "))
            else:
                out.append(f"  {entry.keywords} {entry.pattern}")
            out.append(f"      {entry.summary}")
            for more in entry.examples[1:]:
                out.append(f"      also: {more.phrase}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_MARKDOWN_HEAD = """\
# Step catalogue

Every phrase of the wsbdd step library, grouped by what it is about. Each
entry gives an example you can copy, what the step means, and other ways to
write it. Values in the examples (client names, users, channels, durations,
JSON) are examples: any value of the same kind works.

Conventions: client names are one word (`A`, `alice`, `client-1`); durations
are `500 ms`, `2 s`, `1.5 s`, `2 seconds`; `${name}` is a variable (scenario
variables, then environment variables, then `${uuid}`, `${now}`,
`${timestamp}`, and `${i}` inside repeated sends). Expected JSON is a partial
match and may use the matchers `{{any}}` `{{string}}` `{{number}}`
`{{integer}}` `{{boolean}}` `{{null}}` `{{uuid}}` `{{iso8601}}`
`{{regex:...}}` `{{absent}}`.

"Given/When/Then" means the step works after any keyword (and after And/But).

Generated by `wsbdd steps --markdown`; do not edit by hand.
"""


def render_markdown(catalogue: Catalogue) -> str:
    """The catalogue as Markdown (``docs/steps.md``)."""
    out = [_MARKDOWN_HEAD]
    out.append("## Contents\n")
    for group in catalogue.groups:
        anchor = "".join(
            c for c in group.info.title.lower().replace(" ", "-") if c.isalnum() or c == "-"
        )
        out.append(f"- [{group.info.title}](#{anchor})")
    out.append("")
    for group in catalogue.groups:
        out.append(f"## {group.info.title}\n")
        if group.info.intro:
            out.append(f"{group.info.intro}\n")
        for entry in group.entries:
            title = entry.examples[0].name if entry.examples else entry.pattern
            out.append(f"### {title.replace('<', '&lt;')}\n")
            out.append(f"{entry.summary} *({entry.keywords})*\n")
            if entry.examples:
                out.append("```gherkin")
                for example in entry.examples:
                    out.extend(example.gherkin())
                out.append("```\n")
    return "\n".join(out).rstrip() + "\n"
