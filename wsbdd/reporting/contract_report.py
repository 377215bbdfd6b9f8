"""AsyncAPI contract coverage in the report: one result per contract, with attachments.

Written at the end of the run into every Allure results folder: a result named
"AsyncAPI contract coverage: <title>" (failed when any frame broke the
contract) carrying the coverage as text and JSON. Its file name is fixed per
contract, so a run writes one per contract whatever else is in the folder.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from wsbdd.core.contracts import ContractCoverage
from wsbdd.core.redaction import Redactor

__all__ = ["PART_PREFIX", "merge_coverage_parts", "write_contract_coverage", "write_coverage_parts"]

PART_PREFIX = "asyncapi-coverage-part-"
"""A parallel worker's coverage, summed into one result by :func:`merge_coverage_parts`."""


def write_contract_coverage(
    folders: Iterable[Path], coverages: Iterable[ContractCoverage], redactor: Redactor
) -> list[Path]:
    """Write one Allure result per contract into each folder; the result files written."""
    written: list[Path] = []
    stamp = int(time.time() * 1000)
    for coverage in coverages:
        key = hashlib.sha1(str(coverage.contract.path).encode()).hexdigest()
        result_id = str(uuid.UUID(key[:32]))
        text = redactor.text(coverage.summary())
        data = redactor.text(json.dumps(coverage.as_json(), indent=2, ensure_ascii=False))
        broken = coverage.nonconforming_count > 0
        result = {
            "uuid": result_id,
            "historyId": key,
            "testCaseId": key,
            "name": f"AsyncAPI contract coverage: {coverage.contract.title}",
            "fullName": f"asyncapi:{coverage.contract.path.name}",
            "status": "failed" if broken else "passed",
            "statusDetails": {"message": text.splitlines()[0]} if broken else {},
            "stage": "finished",
            "start": stamp,
            "stop": stamp,
            "labels": [
                {"name": "suite", "value": "AsyncAPI contract"},
                {"name": "feature", "value": "AsyncAPI contract coverage"},
            ],
            "attachments": [
                {
                    "name": "coverage",
                    "source": f"{result_id}-coverage-attachment.txt",
                    "type": "text/plain",
                },
                {
                    "name": "coverage (JSON)",
                    "source": f"{result_id}-coverage-attachment.json",
                    "type": "application/json",
                },
            ],
        }
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{result_id}-coverage-attachment.txt").write_text(text, encoding="utf-8")
            (folder / f"{result_id}-coverage-attachment.json").write_text(data, encoding="utf-8")
            path = folder / f"{result_id}-result.json"
            path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
            written.append(path)
    return written


def write_coverage_parts(
    folders: Iterable[Path], coverages: Iterable[ContractCoverage], worker: str
) -> None:
    """A parallel worker's coverage as plain JSON (no Allure result of its own)."""
    for coverage in coverages:
        key = hashlib.sha1(str(coverage.contract.path).encode()).hexdigest()[:16]
        data = json.dumps(coverage.as_json(), ensure_ascii=False)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{PART_PREFIX}{key}-w{worker}.json").write_text(data, encoding="utf-8")


def merge_coverage_parts(folder: Path, redactor: Redactor) -> list[str]:
    """Sum the workers' parts in ``folder`` into one result per contract; the summaries."""
    from wsbdd.core.contracts import load_contract

    merged: dict[str, ContractCoverage] = {}
    parts = sorted(folder.glob(f"{PART_PREFIX}*.json"))
    for part in parts:
        data = json.loads(part.read_text(encoding="utf-8"))
        path = str(data["path"])
        if path not in merged:
            merged[path] = ContractCoverage(load_contract(path))
        merged[path].absorb(data)
        part.unlink()
    write_contract_coverage([folder], merged.values(), redactor)
    return [redactor.text(c.summary()) for c in merged.values()]
