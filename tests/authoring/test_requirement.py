"""The requirement line ``wsbdd init`` writes names the copy of wsbdd that made the suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wsbdd.authoring.requirement import requirement_from
from wsbdd.authoring.scaffold import scaffold


@pytest.mark.parametrize(
    ("direct_url", "line"),
    [
        (
            {
                "url": "https://example.org/qa/wsbdd.git",
                "vcs_info": {"vcs": "git", "commit_id": "ab12"},
            },
            "wsbdd @ git+https://example.org/qa/wsbdd.git@ab12",
        ),
        (
            {"url": "file:///src/wsbdd", "vcs_info": {"vcs": "git", "commit_id": "ab12"}},
            "wsbdd @ git+file://localhost/src/wsbdd@ab12",
        ),
        ({"url": "file:///src/wsbdd", "dir_info": {"editable": True}}, "wsbdd @ file:///src/wsbdd"),
        (
            {"url": "file:///tmp/dist/wsbdd-0.1.0-py3-none-any.whl", "archive_info": {}},
            "wsbdd @ file:///tmp/dist/wsbdd-0.1.0-py3-none-any.whl",
        ),
        (
            {"url": "https://ci:s3cret@example.org/wsbdd.git", "vcs_info": {"vcs": "git"}},
            "wsbdd @ git+https://example.org/wsbdd.git",
        ),
        (
            {"url": "https://ghp_token@example.org/wsbdd.git", "vcs_info": {"vcs": "git"}},
            "wsbdd @ git+https://example.org/wsbdd.git",
        ),
        (
            {"url": "ssh://git:pw@example.org/wsbdd.git", "vcs_info": {"vcs": "git"}},
            "wsbdd @ git+ssh://git@example.org/wsbdd.git",
        ),
        (
            {"url": "https://${GIT_TOKEN}@example.org/wsbdd.git", "vcs_info": {"vcs": "git"}},
            "wsbdd @ git+https://${GIT_TOKEN}@example.org/wsbdd.git",
        ),
        (
            {"url": "https://x:${GIT_TOKEN}@example.org/wsbdd.git", "vcs_info": {"vcs": "git"}},
            "wsbdd @ git+https://x:${GIT_TOKEN}@example.org/wsbdd.git",
        ),
        (None, "wsbdd==0.1.0"),
        ("not json", "wsbdd==0.1.0"),
    ],
)
def test_the_line_follows_how_pip_installed_wsbdd(direct_url: object, line: str) -> None:
    text = direct_url if isinstance(direct_url, str | None) else json.dumps(direct_url)
    assert requirement_from(text, "0.1.0") == line


def test_init_writes_requirements_with_the_line_of_the_running_copy(tmp_path: Path) -> None:
    scaffold(tmp_path)
    lines = (tmp_path / "requirements.txt").read_text().splitlines()
    wanted = [line for line in lines if line and not line.startswith("#")]
    assert len(wanted) == 1 and wanted[0].startswith("wsbdd"), lines
    assert "@WSBDD_REQUIREMENT@" not in "".join(lines)
