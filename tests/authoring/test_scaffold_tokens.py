"""The scaffold's staging.env.example has a token for every user the tutorial connects as."""

from __future__ import annotations

import re
from pathlib import Path

from wsbdd.authoring.scaffold import template_files

REPO = Path(__file__).resolve().parents[2]
_AS = re.compile(r"\bconnected as ([a-z]+)(?: and ([a-z]+))?|\bconnects as ([a-z]+)")


def users_in(text: str) -> set[str]:
    return {user for match in _AS.finditer(text) for user in match.groups() if user}


def test_staging_example_has_a_token_key_for_every_user_of_the_tutorial_and_example() -> None:
    templates = {str(path): text for path, text in template_files().items()}
    tutorial = (REPO / "docs" / "tutorial.md").read_text(encoding="utf-8")
    users = users_in(tutorial) | users_in(templates["features/example.feature"])
    assert {"alice", "bob", "carol"} <= users
    keys = set(
        re.findall(r"^(WSBDD_TOKEN_[A-Z]+)=", templates["environments/staging.env.example"], re.M)
    )
    assert {f"WSBDD_TOKEN_{user.upper()}" for user in users} <= keys
