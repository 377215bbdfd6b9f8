"""``wsbdd init --from-asyncapi`` and what ``wsbdd lint`` checks of contracts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.contracts.documents import write_contract
from wsbdd.authoring.lint import lint_paths
from wsbdd.cli import main
from wsbdd.core.profiles import load_profile

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def suite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key in ("WSBDD_ENV", "WSBDD_ASYNCAPI", "WSBDD_SCHEMAS"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_from_asyncapi_writes_a_profile_and_a_feature_per_channel(suite: Path) -> None:
    contract = write_contract(suite / "contract")
    assert main(["init", "suite", "--from-asyncapi", str(contract)]) == 0
    profile = load_profile(str(suite / "suite" / "profiles" / "shop.toml"))
    assert [c.pattern for c in profile.channels] == ["orders/*"]
    orders = (suite / "suite" / "features" / "orders.feature").read_text()
    assert 'Then client A receives the message "OrderCreated" within 2 s' in orders
    assert 'Then client A receives the message "order.paid" within 2 s' in orders
    assert 'Given the AsyncAPI contract "../../contract/api.yaml"' in orders
    assert "@skeleton" in orders
    control = (suite / "suite" / "features" / "control.feature").read_text()
    assert "Clients send PlaceOrder on control" in control


def test_the_generated_features_are_lint_clean(
    suite: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(REPO / "features" / "asyncapi.yaml", suite / "asyncapi.yaml")
    shutil.copytree(REPO / "features" / "schemas", suite / "schemas")
    assert main(["init", "suite", "--from-asyncapi", "asyncapi.yaml"]) == 0
    monkeypatch.chdir(suite / "suite")
    problems = lint_paths(["features"])
    assert not problems, "\n".join(p.render() for p in problems)


def lint_feature(suite: Path, steps: str) -> list[str]:
    (suite / "features").mkdir(exist_ok=True)
    (suite / "features" / "t.feature").write_text("Feature: t\n  Scenario: s\n" + steps)
    return [p.render() for p in lint_paths(["features"])]


def test_lint_names_an_unknown_message_with_suggestions(suite: Path) -> None:
    write_contract(suite / "features")
    problems = lint_feature(
        suite,
        '    Given the AsyncAPI contract "api.yaml"\n'
        "    And client A connects\n"
        '    Then client A receives the message "OrderCreatd" within 1 s\n',
    )
    assert len(problems) == 1
    assert problems[0].startswith(
        "features/t.feature:5: unknown message: the AsyncAPI contract api.yaml has no message "
        '"OrderCreatd" that clients receive (they receive: OrderCreated, OrderPaid, order.paid)'
    )
    assert 'did you mean: receives the message "OrderCreated"' in problems[0]


def test_lint_names_a_contract_that_does_not_load(suite: Path) -> None:
    contract = write_contract(suite / "features")
    (suite / "features" / "messages" / "orders.yaml").unlink()
    problems = lint_feature(suite, '    Given the AsyncAPI contract "api.yaml"\n')
    assert len(problems) == 1 and "bad contract: " in problems[0]
    assert "cannot read" in problems[0] and "orders.yaml" in problems[0]
    assert contract.exists()


def test_lint_wants_a_contract_for_a_message_name(suite: Path) -> None:
    problems = lint_feature(
        suite, '    Given client A connects\n    Then client A receives the message "X"\n'
    )
    assert len(problems) == 1 and "no contract: " in problems[0]
    assert "WSBDD_ASYNCAPI" in problems[0]


def test_lint_checks_the_environments_contract_at_its_line(suite: Path) -> None:
    (suite / "environments").mkdir()
    (suite / "environments" / "local.env").write_text(
        "WSBDD_SERVER=embedded\nWSBDD_ASYNCAPI=gone.yaml\n"
    )
    problems = lint_feature(suite, "    Given client A connects\n")
    assert problems == [
        'environments/local.env:2: environment: WSBDD_ASYNCAPI: AsyncAPI contract "gone.yaml" '
        "not found (beside the features, or in the project)"
    ]
