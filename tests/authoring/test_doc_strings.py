"""The raw-text doc-string checks behind ``wsbdd lint`` and ``wsbdd run``."""

from __future__ import annotations

from wsbdd.authoring.doc_strings import DocStringMistake, doc_string_mistakes


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def test_well_formed_doc_strings_have_no_mistake() -> None:
    text = lines(
        "Feature: f",
        "  Scenario: s",
        "    When client A sends:",
        '      """json',  # a content type after the opening quotes is allowed
        '      {"a": 1,',
        '        "b": 2}',
        '      """',
        "    Then client A receives:",
        "      ```",
        '      {"quote": "\\"\\"\\""}',  # the other delimiter inside is text
        '      """',
        "      ```",
    )
    assert doc_string_mistakes(text) == []


def test_each_mistake_names_its_line() -> None:
    text = lines(
        "Feature: f",
        "  Scenario: s",
        "    When client A sends:",
        '      """',
        "     x",
        '      """ trailing',
    )
    assert [m.line for m in doc_string_mistakes(text)] == [5, 6]


def test_a_blank_line_inside_is_not_an_indentation_mistake() -> None:
    text = lines("    Given x:", '      """', "      a", "", "  ", "      b", '      """')
    assert doc_string_mistakes(text) == []


def test_a_never_closed_doc_string_points_at_its_opening() -> None:
    assert doc_string_mistakes(lines("    Given x:", "      ```", "      a")) == [
        DocStringMistake(2, "this doc string is never closed: add a line with ``` after its text")
    ]


def test_closed_with_the_other_quotes_while_steps_follow() -> None:
    # behave reads on to the next """: the step between becomes text, silently.
    text = lines(
        "    When client A sends:",
        '      """',
        '      {"a": 1}',
        "      ```",
        "    Then client A receives:",
        '      """',
    )
    assert doc_string_mistakes(text) == [
        DocStringMistake(
            4,
            'the doc string opened with """ at line 2 is closed with ```: close it with """, '
            "as it was opened",
        )
    ]
