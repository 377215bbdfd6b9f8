"""Loading AsyncAPI 2.6 and 3.0 documents: names, directions, channels, ``$ref`` across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contracts.documents import write_contract
from wsbdd.core.contracts import ContractChecker, load_contract
from wsbdd.core.exceptions import ContractError


@pytest.mark.parametrize("version", ["2.6", "3.0"])
def test_messages_get_their_names_directions_and_channels(tmp_path: Path, version: str) -> None:
    contract = load_contract(write_contract(tmp_path, version))
    by_name = {m.name: m for m in contract.messages}
    assert set(by_name) == {
        "OrderCreated",
        "order.paid",
        "placeOrder" if version == "2.6" else "PlaceOrder",
    }
    assert by_name["OrderCreated"].direction == "received"
    assert by_name["order.paid"].aliases == {"OrderPaid"}
    assert by_name["order.paid"].constants == (("type", "paid"),)
    sent = [m for m in contract.messages if m.direction == "sent"]
    assert len(sent) == 1 and sent[0].named("PlaceOrder")
    assert by_name["OrderCreated"].channel.matches("orders/alice")
    assert not by_name["OrderCreated"].channel.matches("orders/alice/extra")
    assert sorted(o.key for o in contract.operations) == ["placeOrder", "receiveOrders"]


@pytest.mark.parametrize("version", ["2.6", "3.0"])
def test_payload_schemas_ref_across_files(tmp_path: Path, version: str) -> None:
    checker = ContractChecker(load_contract(write_contract(tmp_path, version)))
    good = checker.check({"type": "created", "qty": 2, "id": "o-1"}, "received")
    assert good.conforms and good.message is not None and good.message.name == "OrderCreated"
    wrong_type = checker.check({"type": "created", "qty": "2", "id": "o-1"}, "received")
    assert not wrong_type.conforms
    assert [str(v) for v in wrong_type.violations] == ["$.qty: '2' is not of type 'integer' (type)"]
    # the id's schema is two files away: order.json -> common.json
    bad_id = checker.check({"type": "created", "qty": 2, "id": "x-1"}, "received")
    assert [v.path for v in bad_id.violations] == ["$.id"]
    assert "taken for OrderCreated (received on" in bad_id.explain()


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"AsyncAPI document .*nope.yaml not found"):
        load_contract(tmp_path / "nope.yaml")


def test_bad_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text("asyncapi: 3.0.0\ninfo:\n  title: [unclosed\n")
    with pytest.raises(ContractError, match=r"api.yaml:\d+: not valid YAML or JSON"):
        load_contract(path)


def test_an_unknown_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "api.yaml"
    path.write_text("openapi: 3.1.0\n")
    with pytest.raises(ContractError, match=r'"asyncapi: \(missing\)": wsbdd reads AsyncAPI 2.x'):
        load_contract(path)


def test_a_ref_that_leads_nowhere_is_named(tmp_path: Path) -> None:
    path = write_contract(tmp_path)
    path.write_text(
        path.read_text().replace("#/components/messages/OrderPaid", "#/components/messages/Gone")
    )
    with pytest.raises(ContractError, match=r"\$ref '#/components/messages/Gone' leads nowhere"):
        load_contract(path)


def test_a_missing_referenced_file_is_named(tmp_path: Path) -> None:
    path = write_contract(tmp_path)
    (tmp_path / "messages" / "orders.yaml").unlink()
    with pytest.raises(ContractError, match=r"cannot read .*orders.yaml"):
        load_contract(path)


def test_a_schema_format_wsbdd_cannot_check_is_an_error(tmp_path: Path) -> None:
    path = write_contract(tmp_path)
    path.write_text(
        path.read_text().replace(
            "schemaFormat: application/schema+json;version=draft-07",
            "schemaFormat: application/vnd.apache.avro;version=1.9.0",
        )
    )
    with pytest.raises(ContractError, match=r"schema format .*avro.* is not supported"):
        load_contract(path)


def test_the_shipped_contract_loads_and_its_schemas_are_valid() -> None:
    root = Path(__file__).resolve().parents[2]
    contract = load_contract(root / "features" / "asyncapi.yaml")
    ContractChecker(contract).check_schemas()
    assert contract.version == "3.0.0"
    assert {"OrderCreated", "ChatMessage", "Welcome", "Subscribe"} <= set(contract.message_names())
