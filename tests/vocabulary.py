"""The canonical vocabulary as the tests see it: which phrases are built, which are pending.

``tests/data/vocabulary.feature`` is a copy of ``../shared/spec/vocabulary.feature``.
``tests/data/vocabulary_pending.txt`` lists the canonical phrases that no step defines yet,
each with the issue that builds it; every other phrase must be defined.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
VOCABULARY = DATA / "vocabulary.feature"
PENDING = DATA / "vocabulary_pending.txt"
STEP_KEYWORDS = ("Given", "When", "Then", "And", "But")


def pending_steps() -> dict[str, str]:
    """Each pending step line (as written in the vocabulary) → the issue that builds it."""
    pending: dict[str, str] = {}
    for line in PENDING.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        issue, step = line.split("\t", 1)
        pending[step.strip()] = issue.strip()
    return pending


def is_step(line: str) -> bool:
    return line.strip().split(" ", 1)[0] in STEP_KEYWORDS


def without_pending(text: str) -> str:
    """The vocabulary with every pending step removed, with its table or doc string."""
    pending = pending_steps()
    kept: list[str] = []
    skipping = False
    in_doc_string = False
    for line in text.splitlines():
        stripped = line.strip()
        if skipping:
            if in_doc_string:
                in_doc_string = stripped != '"""'
                continue
            if stripped == '"""':
                in_doc_string = True
                continue
            if stripped.startswith("|"):
                continue
            skipping = False
        if is_step(line) and stripped in pending:
            skipping = True
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"
