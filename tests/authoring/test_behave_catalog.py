"""``behave --steps-catalog`` shows readable phrases and examples, not regular expressions."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wsbdd.authoring.behave_catalog import readable_pattern

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("pattern", "phrase"),
    [
        (r"^client (?P<name>[\w.@-]+) disconnects$", "client <name> disconnects"),
        (
            r"^client (?P<name>[\w.@-]+) is closed(?: with code (?P<code>\d+))?"
            r'(?: and reason "(?P<reason>[^"]*)")?$',
            'client <name> is closed[ with code <code>][ and reason "<reason>"]',
        ),
        (
            r'^client (?P<name>\S+) is subscribed to (?:"(?P<quoted>[^"]+)"|(?P<channel>[^\s"]+))$',
            'client <name> is subscribed to ("<quoted>"|<channel>)',
        ),
        (r"^(?P<n>\d+) messages? with (?P<no_token>no token)$", "<n> message[s] with no token"),
        (r"^I send an? (?P<method>GET|POST)$", "I send a[n] <method>"),
    ],
)
def test_a_regular_expression_reads_as_a_phrase(pattern: str, phrase: str) -> None:
    assert readable_pattern(pattern) == phrase


def test_behave_steps_catalog_in_the_root_shows_phrases_with_examples() -> None:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("WSBDD_")}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "behave"), "--steps-catalog"],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout
    assert "(?P<" not in text and "(?:" not in text and "[\\w" not in text
    connect = 'Given client <name> is connected[ to "<target>"][ over <transport>][ as <identity>'
    assert connect in text
    assert "    e.g. Given client A is connected as alice\n" in text
    assert "USING RUNNER" not in text
