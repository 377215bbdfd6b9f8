"""Steps: AsyncAPI contracts (docs/asyncapi.md)."""

from __future__ import annotations

from typing import Any

from behave import step, use_step_matcher

from wsbdd.steps._common import CLIENT, WITHIN, optional_duration, session

__all__: list[str] = []  # importing this module registers its steps; it exports nothing

use_step_matcher("re")


@step(r'the AsyncAPI contract "(?P<contract>[^"]+)"')
def use_contract(context: Any, contract: str) -> None:
    """This scenario checks frames against this AsyncAPI 2.6/3.0 document (YAML or JSON)."""
    s = session(context)
    s.contracts.use(s.text(contract))


@step(rf'client {CLIENT} receives the message "(?P<message>[^"]+)"{WITHIN}')
def receives_contract_message(context: Any, name: str, message: str, within: str | None) -> None:
    """The client gets a frame that is this message of the contract and satisfies its schema."""
    s = session(context)
    s.contracts.receive(name, s.text(message), optional_duration(within))


@step(rf"every message of client {CLIENT} conforms to the AsyncAPI contract")
def client_conforms(context: Any, name: str) -> None:
    """Every frame the client sent and received so far is a message of the contract."""
    session(context).contracts.assert_client(name)


@step(r"every message of this scenario conforms to the AsyncAPI contract")
def scenario_conforms(context: Any) -> None:
    """Every frame of every client of the scenario, both directions, is a contract message."""
    session(context).contracts.assert_scenario()
