"""The canonical vocabulary: behave's own dry run finds every built step defined, none ambiguous.

Phrases still to be built are listed, with their issue, in tests/data/vocabulary_pending.txt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.harness import REPO, BehaveProject
from tests.vocabulary import VOCABULARY, is_step, without_pending

SHARED = REPO.parent / "shared" / "spec" / "vocabulary.feature"


def test_the_vendored_vocabulary_is_the_canonical_one() -> None:
    if not SHARED.exists():
        pytest.skip(
            "only for wsbdd's maintainers: compares tests/data/vocabulary.feature with the "
            "canonical vocabulary in a design folder (../shared/) beside their checkout"
        )
    assert VOCABULARY.read_text() == SHARED.read_text(), (
        "tests/data/vocabulary.feature is stale: copy ../shared/spec/vocabulary.feature over it"
    )


def test_dry_run_of_the_vocabulary_has_no_undefined_or_ambiguous_step(tmp_path: Path) -> None:
    project = BehaveProject(
        tmp_path / "p", {"WSBDD_SERVER": "none", "WSBDD_URL": "ws://127.0.0.1:9/ws"}
    )
    built = without_pending(VOCABULARY.read_text())
    (project.root / "features" / "vocabulary.feature").write_text(built)
    run = project.run("--dry-run")
    step_count = sum(1 for line in built.splitlines() if is_step(line))
    # behave names undefined steps in its summary only when there are some.
    assert (
        run.summary_line("0 steps") == f"0 steps passed, 0 failed, 0 skipped, {step_count} untested"
    )
    assert "AmbiguousStep" not in run.output and "ambiguous" not in run.output.lower(), run.output
    assert run.returncode == 0, run.output
