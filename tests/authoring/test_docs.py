"""The docs: steps.md is generated and current; every Gherkin snippet lints clean."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from wsbdd.authoring.catalogue import library_catalogue, render_markdown
from wsbdd.authoring.lint import lint_paths

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
SNIPPET_DOCS = ("tutorial.md", "cookbook.md", "steps.md")
_GHERKIN = re.compile(r"```gherkin\n(.*?)```", re.DOTALL)


def gherkin_blocks(name: str) -> list[str]:
    return _GHERKIN.findall((DOCS / name).read_text(encoding="utf-8"))


def as_feature(block: str) -> str:
    """A snippet as a feature file: complete features as they are, bare steps wrapped."""
    if re.search(r"^\s*Feature:", block, re.MULTILINE):
        return block
    if re.search(r"^\s*Scenario", block, re.MULTILINE):
        return "Feature: snippet\n" + textwrap.indent(block, "  ")
    return "Feature: snippet\n  Scenario: snippet\n" + textwrap.indent(block, "    ")


def test_steps_md_is_generated_from_the_catalogue() -> None:
    current = (DOCS / "steps.md").read_text(encoding="utf-8")
    assert current == render_markdown(library_catalogue()), (
        "docs/steps.md is stale: run `wsbdd steps --markdown -o docs/steps.md`"
    )


@pytest.mark.parametrize("name", SNIPPET_DOCS)
def test_every_gherkin_snippet_of_the_docs_lints_clean(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = gherkin_blocks(name)
    assert blocks, f"docs/{name} has no ```gherkin snippets"
    folder = tmp_path / "snippets"
    folder.mkdir()
    if name == "steps.md":
        # The catalogue's examples are one vocabulary: variables set in one
        # entry (${room}, ${order_id}) are used in another, so lint them together.
        scenarios = [as_feature(block).split("\n", 1)[1] for block in blocks]
        (folder / "steps.feature").write_text("Feature: catalogue\n" + "".join(scenarios))
    else:
        for index, block in enumerate(blocks, 1):
            (folder / f"{Path(name).stem}-{index:02d}.feature").write_text(as_feature(block))
    monkeypatch.chdir(REPO)  # the repository's local.env and features/schemas
    monkeypatch.delenv("WSBDD_ENV", raising=False)
    problems = lint_paths([folder], load_project_steps=False)
    if name == "steps.md":
        # Each catalogue entry shows one step alone: its clients connect elsewhere.
        problems = [p for p in problems if p.kind != "unknown client"]
    assert not problems, "\n".join(p.render() for p in problems)


def test_the_cookbook_has_a_recipe_per_core_assertion() -> None:
    text = (DOCS / "cookbook.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    for topic in (
        "Connection",
        "Authentication",
        "Subscription",
        "Presence",
        "Message shape",
        "Ordering",
        "Timing",
        "Heartbeats",
        "Reconnect",
        "Backpressure",
    ):
        assert any(h.startswith(topic) for h in headings), topic
