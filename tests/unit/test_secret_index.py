"""Redactors made from the same secrets share their search automata, never what they learn.

Every client and every transport makes its own :class:`Redactor` from the run's
secrets, two a connection; building the two Aho–Corasick automata of a set of
secret forms cost about 0.1 ms each time (wsbdd/core/_secret_index.py).
"""

from __future__ import annotations

from wsbdd.core.redaction import MASK, Redactor

SECRETS = ("alice-token-123", "bob-secret-456")


def _automata(redactor: Redactor) -> tuple[object, object]:
    index = redactor._index
    index.spans("")  # built on the first search
    return index._text, index._bytes


def test_redactors_of_the_same_secrets_search_with_one_pair_of_automata() -> None:
    first, second = Redactor(SECRETS), Redactor(list(SECRETS))
    assert _automata(first)[0] is _automata(second)[0]
    assert _automata(first)[1] is _automata(second)[1]
    assert first.text("x alice-token-123 y") == second.text("x alice-token-123 y") == f"x {MASK} y"


def test_what_one_redactor_learns_stays_its_own() -> None:
    learner, other = Redactor(SECRETS), Redactor(SECRETS)
    learner.add("carol-secret-789")
    learner.learn({"token": "dave-token-000"})
    line = "carol-secret-789 dave-token-000 bob-secret-456"
    assert learner.text(line) == f"{MASK} {MASK} {MASK}"
    assert other.text(line) == f"carol-secret-789 dave-token-000 {MASK}"
    assert Redactor(SECRETS).text(line) == f"carol-secret-789 dave-token-000 {MASK}"
    assert "carol-secret-789" not in Redactor(SECRETS).secrets


def test_a_copy_still_finds_a_secret_cut_at_the_end_of_a_text() -> None:
    # the prefixes table is copied with the secrets: a truncated secret is still hidden
    redactor = Redactor(SECRETS)
    assert redactor._index.cut_prefix("x alice-tok", 11, 0) == 2
    redactor.add("alice-token-999-longer")
    assert redactor._index.cut_prefix("x alice-token-999-lo", 20, 0) == 2
    assert Redactor(SECRETS)._index.cut_prefix("x alice-token-999-lo", 20, 0) is None


def test_a_run_that_learnt_many_secrets_is_not_kept_as_a_seed() -> None:
    # each seed holds every form of its secrets: a long tuple (a run that learnt a
    # token from every message) is built for each redactor, as before, not kept
    many = tuple(f"learnt-token-{n:04d}" for n in range(65))
    first, second = Redactor(many), Redactor(many)
    assert _automata(first)[0] is not _automata(second)[0]
    assert first.text("x learnt-token-0064 y") == second.text("x learnt-token-0064 y")
    assert first.text("x learnt-token-0064 y") == f"x {MASK} y"
