"""The step catalogue: complete, every example matches its own step and no other."""

from __future__ import annotations

import inspect

from wsbdd.authoring.catalogue import (
    GROUPS,
    definitions_matching,
    library_catalogue,
    load_examples,
    registry_steps,
    render_markdown,
    render_text,
)


def library_functions() -> set[str]:
    return {
        f"{m.func.__module__}.{m.func.__name__}"
        for matchers in registry_steps().values()
        for m in matchers
        if m.func.__module__.startswith("wsbdd.steps")
    }


def test_every_registered_step_is_in_the_catalogue_with_an_example() -> None:
    catalogue = library_catalogue()
    listed = {f"{e.module}.{e.name}" for e in catalogue.entries()}
    assert listed == library_functions()
    missing = [f"{e.module}.{e.name}: {e.pattern}" for e in catalogue.entries() if not e.examples]
    assert not missing, "steps without an example in examples.feature:\n" + "\n".join(missing)


def test_every_example_matches_exactly_one_step() -> None:
    steps = registry_steps()
    problems = []
    for example in load_examples():
        found = definitions_matching(steps, example.step_type, example.name)
        if len(found) != 1:
            names = [m.func.__name__ for m in found]
            problems.append(f"line {example.line}: {example.phrase} -> {names}")
    assert not problems, "examples matching no step or several:\n" + "\n".join(problems)


def test_each_entry_lists_only_examples_of_its_own_step() -> None:
    steps = registry_steps()
    for entry in library_catalogue().entries():
        for example in entry.examples:
            (found,) = definitions_matching(steps, example.step_type, example.name)
            assert found.func is entry.function, (example.phrase, entry.name)


def test_every_step_has_a_one_line_docstring() -> None:
    for entry in library_catalogue().entries():
        doc = inspect.getdoc(entry.function) or ""
        assert entry.summary, f"{entry.name} has no docstring"
        assert len(doc.splitlines()) == 1, f"{entry.name}: the docstring must be one line"


def test_groups_follow_the_declared_order_and_have_titles() -> None:
    catalogue = library_catalogue()
    modules = [group.info.module for group in catalogue.groups]
    declared = [info.module for info in GROUPS]
    assert set(modules) <= set(declared), f"step modules without a catalogue group: {modules}"
    assert modules == [m for m in declared if m in modules]
    assert modules[:4] == [
        "environment_steps",
        "connection_steps",
        "sending_steps",
        "receiving_steps",
    ]


def test_the_text_catalogue_shows_each_phrase_meaning_and_example() -> None:
    text = render_text(library_catalogue())
    assert "Connecting, handshakes and closing\n==================================" in text
    assert "  Given client A connects\n      Opens a connection" in text
    assert "      also: Given client A connects as alice" in text
    # a doc string example is shown with its doc string
    assert '  When client A sends:\n    """\n    {"type": "message"' in text


def test_the_markdown_catalogue_has_a_section_per_group_and_gherkin_examples() -> None:
    markdown = render_markdown(library_catalogue())
    for group in library_catalogue().groups:
        assert f"\n## {group.info.title}\n" in markdown
    assert '### client A sends {"type": "ping"}\n' in markdown
    assert '```gherkin\nWhen client A sends {"type": "ping"}\n```' in markdown


def test_filtering_keeps_only_entries_mentioning_every_word() -> None:
    filtered = library_catalogue().filtered(["subscri", "confirmed"])
    names = [e.name for e in filtered.entries()]
    assert names == ["subscription_confirmed"]
    assert not library_catalogue().filtered(["no-such-word-anywhere"]).groups


def test_filtering_searches_the_examples_doc_strings_and_json() -> None:
    # "presence" is in no phrase and no docstring: only in the examples' JSON,
    # inline (receives_inline) or in a doc string (receives_any_order).
    names = [e.name for e in library_catalogue().filtered(["presence"]).entries()]
    assert names == ["receives_inline", "receives_any_order"]


def test_filtering_searches_the_group_intro() -> None:
    catalogue = library_catalogue()
    group = next(g for g in catalogue.groups if "partial match" in g.info.intro)
    found = catalogue.filtered(["others are ignored", "pong"]).entries()
    assert found and all(e in group.entries for e in found)
