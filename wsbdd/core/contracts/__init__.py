"""AsyncAPI contracts: which contract message each frame is, whether it conforms, coverage.

Pure (no asyncio, websockets or behave): the session feeds it decoded frames.
See docs/asyncapi.md.
"""

from __future__ import annotations

from wsbdd.core.contracts.check import ContractChecker, FrameVerdict
from wsbdd.core.contracts.coverage import ContractCoverage, NonConforming
from wsbdd.core.contracts.document import load_contract
from wsbdd.core.contracts.model import (
    SETTING,
    Contract,
    ContractChannel,
    ContractMessage,
    ContractOperation,
    Direction,
)

__all__ = [
    "SETTING",
    "Contract",
    "ContractChannel",
    "ContractChecker",
    "ContractCoverage",
    "ContractMessage",
    "ContractOperation",
    "Direction",
    "FrameVerdict",
    "NonConforming",
    "load_contract",
]
