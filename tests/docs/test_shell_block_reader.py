"""The docs-test directives are read as written, and a mistyped one is an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.shell_blocks import read_blocks


def test_blocks_carry_the_directives_just_before_them(tmp_path: Path) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Intro\n\n<!-- docs-test: skip (needs your server) -->\n\n```sh\nwsbdd run\n```\n\n"
        "<!-- docs-test: file features/a.feature -->\n```gherkin\nFeature: a\n```\n\n"
        "```sh\nwsbdd lint\n```\n"
    )
    skip, feature, lint = read_blocks(doc, "doc.md")
    assert (skip.language, skip.text, skip.directive("skip")) == (
        "sh",
        "wsbdd run\n",
        "(needs your server)",
    )
    assert (
        feature.directive("file") == "features/a.feature" and feature.line == 10
    )  # the opening fence
    assert lint.directives == [] and lint.directive("skip") is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("<!-- docs-test: skp -->\n```sh\nls\n```\n", "unknown docs-test directive"),
        ("<!-- docs-test: fails -->\nSome text.\n```sh\nls\n```\n", "must precede a block"),
    ],
)
def test_a_misplaced_or_mistyped_directive_is_an_error(
    tmp_path: Path, text: str, says: str
) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(text)
    with pytest.raises(AssertionError, match=says):
        read_blocks(doc, "doc.md")
