"""The AsyncAPI steps as users run them: behave in a subprocess, the real reference server."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.features.harness import BehaveProject, server_env
from wsbdd.server.managed import ManagedServer

REPO = Path(__file__).resolve().parents[2]

ORDER = '''
    When I send a POST request to "/orders" as alice with:
      """
      {"item": "book", "qty": 2}
      """
'''


def with_contract(project: BehaveProject) -> BehaveProject:
    """The shipped contract (and the schemas it refers to) in the project's features/."""
    shutil.copy(REPO / "features" / "asyncapi.yaml", project.root / "features" / "asyncapi.yaml")
    for schema in (REPO / "features" / "schemas").glob("*.json"):
        shutil.copy(schema, project.root / "features" / "schemas" / schema.name)
    return project


def feature(project: BehaveProject, steps: str) -> None:
    project.feature(
        "Feature: contract\n  Scenario: s\n"
        '    Given the AsyncAPI contract "asyncapi.yaml"\n'
        '    And the API profile "chat"\n' + steps
    )


def test_a_conversation_that_follows_the_contract_passes(project: BehaveProject) -> None:
    feature(
        with_contract(project),
        "    And client A is connected as alice\n"
        "    And client A is subscribed to orders.user-alice\n"
        + ORDER
        + '    Then client A receives the message "OrderCreated" within 2 s\n'
        '    And client A receives the message "OrderPaid" within 2 s\n'
        "    And every message of client A conforms to the AsyncAPI contract\n"
        "    And every message of this scenario conforms to the AsyncAPI contract\n",
    )
    run = project.run()
    assert run.passed, run.output


def test_a_message_that_breaks_its_schema_fails_naming_message_and_path(
    tmp_path: Path, bad_schema_server: ManagedServer
) -> None:
    project = with_contract(BehaveProject(tmp_path / "p", server_env(bad_schema_server)))
    feature(
        project,
        "    And client A is connected as alice\n"
        "    And client A is subscribed to orders.user-alice\n"
        + ORDER
        + '    Then client A receives the message "OrderCreated" within 1 s\n',
    )
    run = project.run()
    assert not run.passed
    assert 'client A did not receive the message "OrderCreated" of the AsyncAPI contract' in (
        run.output
    )
    assert "taken for OrderCreated (received on orders), breaks its payload schema:" in run.output
    assert "$.qty: '2' is not of type 'integer' (type)" in run.output
    assert "Traceback" not in run.output


def test_every_message_of_a_client_names_the_frame_channel_message_and_path(
    tmp_path: Path, bad_schema_server: ManagedServer
) -> None:
    project = with_contract(BehaveProject(tmp_path / "p", server_env(bad_schema_server)))
    feature(
        project,
        "    And client A is connected as alice\n"
        "    And client A is subscribed to orders.user-alice\n"
        + ORDER
        + '    Then client A receives {"type": "order.paid"} within 2 s\n'
        "    And every message of client A conforms to the AsyncAPI contract\n",
    )
    run = project.run()
    assert "1 scenario passed" not in run.output, run.output
    lines = run.output.splitlines()
    head = next(line for line in lines if "do not conform to the AsyncAPI contract" in line)
    assert "client A: 1 of " in head and "features/asyncapi.yaml" in head
    assert any("client A received #" in line and '"type":"order.created"' in line for line in lines)
    assert "on channel orders.user-alice: taken for OrderCreated (received on orders)" in run.output
    assert "$.qty: '2' is not of type 'integer'" in run.output


def test_a_frame_the_client_sent_is_checked_too(project: BehaveProject) -> None:
    feature(
        with_contract(project),
        "    And client A is connected as alice\n"
        '    When client A sends {"type": "dance"}\n'
        '    Then client A receives {"type": "error", "code": "unknown_type"}\n'
        "    And every message of this scenario conforms to the AsyncAPI contract\n",
    )
    run = project.run()
    assert not run.passed
    assert 'client A sent #1: {"type": "dance"}' in run.output
    assert "fits no message sent in the contract; closest:" in run.output


def test_an_unknown_message_name_is_an_error_listing_the_names(project: BehaveProject) -> None:
    feature(
        with_contract(project),
        '    And client A is connected as alice\n    Then client A receives the message "Nope"\n',
    )
    run = project.run()
    assert not run.passed
    assert 'has no message "Nope" that clients receive (they receive: ChatMessage, Error' in (
        run.output
    )


def test_a_missing_contract_file_is_an_error_at_its_step(project: BehaveProject) -> None:
    project.feature('Feature: c\n  Scenario: s\n    Given the AsyncAPI contract "missing.yaml"\n')
    run = project.run()
    assert not run.passed
    assert 'AsyncAPI contract "missing.yaml" not found' in run.output


def test_the_run_contract_gives_coverage_in_the_console_and_the_report(
    tmp_path: Path, reference_server: ManagedServer
) -> None:
    env = server_env(reference_server, WSBDD_ASYNCAPI="asyncapi.yaml", WSBDD_PROFILE="chat")
    project = with_contract(BehaveProject(tmp_path / "p", env))
    project.feature(
        "Feature: c\n  Scenario: s\n"
        "    Given client A is connected as alice\n"
        '    When client A sends {"type": "ping"}\n'
        '    Then client A receives {"type": "pong"}\n'
    )
    results = tmp_path / "results"
    run = project.run(
        "-o", "-", "-f", "wsbdd.reporting.allure_formatter:AllureFormatter", "-o", str(results)
    )
    assert run.passed, run.output
    assert "AsyncAPI contract features/asyncapi.yaml (wsbdd reference chat server" in run.output
    assert "3 frames checked, 0 not conforming" in run.output
    assert "never seen: " in run.output and "OrderCreated (received on orders)" in run.output
    found = [
        json.loads(p.read_text())
        for p in results.glob("*-result.json")
        if "AsyncAPI contract coverage" in p.read_text()
    ]
    assert len(found) == 1 and found[0]["status"] == "passed"
    attachment = next(a for a in found[0]["attachments"] if a["type"] == "application/json")
    coverage = json.loads((results / attachment["source"]).read_text())
    assert coverage["messages"]["Pong (received on ws)"] == 1
    assert coverage["messages"]["Ping (sent on ws)"] == 1
    assert coverage["frames"] == 3 and coverage["nonconforming"] == 0


def test_a_bad_run_contract_stops_the_run_naming_the_key(
    tmp_path: Path, reference_server: ManagedServer
) -> None:
    env = server_env(reference_server, WSBDD_ASYNCAPI="nowhere.yaml")
    project = BehaveProject(tmp_path / "p", env)
    project.feature("Feature: c\n  Scenario: s\n    Given client A is connected as alice\n")
    run = project.run()
    assert not run.passed
    assert "environments/test.env: WSBDD_ASYNCAPI: " in run.output
    assert 'AsyncAPI contract "nowhere.yaml" not found' in run.output
    assert "0 scenarios passed" in run.output or "untested" in run.output


V2_CONTRACT = """
asyncapi: 2.6.0
info: {title: Orders, version: 1.0.0}
channels:
  orders.user-{user}:
    parameters: {user: {schema: {type: string}}}
    subscribe:
      message:
        oneOf:
          - {$ref: "#/components/messages/OrderCreated"}
          - {$ref: "#/components/messages/OrderPaid"}
components:
  messages:
    OrderCreated:
      payload: {$ref: "schemas/order.created.json"}
    OrderPaid:
      messageId: order-paid
      payload: {$ref: "schemas/order.paid.json"}
"""


def test_an_asyncapi_2_6_contract_works_the_same(project: BehaveProject) -> None:
    with_contract(project).file("features/orders-2.6.yaml", V2_CONTRACT)
    project.feature(
        "Feature: contract\n  Scenario: s\n"
        '    Given the AsyncAPI contract "orders-2.6.yaml"\n'
        '    And the API profile "chat"\n'
        "    And client A is connected as alice\n"
        "    And client A is subscribed to orders.user-alice\n"
        + ORDER
        + '    Then client A receives the message "OrderCreated" within 2 s\n'
        '    And client A receives the message "order-paid" within 2 s\n'
        "    And every message of client A conforms to the AsyncAPI contract\n"
    )
    run = project.run()
    # 2.6 here describes only the orders: welcome, subscribed and the sent subscribe fit nothing
    assert "client A: 3 of 5 frames do not conform" in run.output, run.output
    assert "fits no message received in the contract" in run.output
    assert "the contract has no message sent by clients" in run.output
    assert run.output.count("passed") >= 1 and 'receives the message "order-paid"' in run.output
