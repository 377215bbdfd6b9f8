"""The workers' files made into the run's files: Allure results, formatter outputs.

* **Allure**: every worker writes into a folder of its own; their results,
  containers and attachments (uniquely named by allure) move into the run's
  folder, and one ``environment.properties`` is written: the keys on which
  the workers agree as they are, the others (an embedded server's URL
  differs per worker) with every worker's value, plus ``parallel.processes``.
* **A scenario a worker never reported** (it crashed or hung) gets a
  *broken* Allure result carrying the worker's last output.
* **Formatter outputs** (``-f json -o out.json``, ``-o report.txt``): each
  worker writes its own; behave's JSON arrays are merged feature by feature,
  any other output is joined in worker order.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from wsbdd.parallel.units import Unit

__all__ = [
    "merge_allure",
    "merge_environment",
    "merge_outputs",
    "parse_properties",
    "write_broken_result",
]


def parse_properties(text: str) -> dict[str, str]:
    """The pairs of a properties file written by ``render_properties``."""
    props: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith(("#", "!")):
            continue
        key, value, escaped = [], "", False
        for index, char in enumerate(line):
            if escaped:
                key.append({"n": "\n", "r": "\r"}.get(char, char))
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == "=":
                value = line[index + 1 :]
                break
            else:
                key.append(char)
        unescaped = value.replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\")
        props["".join(key)] = unescaped
    return props


def merge_environment(per_worker: Sequence[Mapping[str, str]], processes: int) -> dict[str, str]:
    """One environment section for the run (see the module docstring)."""
    merged: dict[str, str] = {}
    for props in per_worker:
        for key in props:
            values = list(dict.fromkeys(p[key] for p in per_worker if key in p))
            merged[key] = values[0] if len(values) == 1 else ", ".join(values)
    merged["parallel.processes"] = str(processes)
    return merged


def merge_allure(worker_dirs: Sequence[Path], target: Path, processes: int) -> int:
    """Move every worker's results into ``target``; one environment file. Files moved."""
    # Imported here: wsbdd.reporting pulls in allure, which the supervisor needs only now.
    from wsbdd.reporting.run_environment import PROPERTIES_FILE, render_properties

    target.mkdir(parents=True, exist_ok=True)
    moved = 0
    environments: list[dict[str, str]] = []
    for folder in worker_dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.name == PROPERTIES_FILE:
                environments.append(parse_properties(path.read_text(encoding="utf-8")))
                continue
            if path.is_file() and not path.name.endswith(".tmp"):
                shutil.move(str(path), target / path.name)
                moved += 1
    if environments:
        text = render_properties(merge_environment(environments, processes))
        (target / PROPERTIES_FILE).write_text(text, encoding="utf-8")
    return moved


def write_broken_result(target: Path, unit: Unit, message: str, trace: str) -> Path:
    """An Allure result for a scenario whose worker died before reporting it."""
    target.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1000)
    identity = f"{unit.feature}:{unit.name}"
    result: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "historyId": hashlib.md5(identity.encode(), usedforsecurity=False).hexdigest(),
        "name": unit.name,
        "fullName": f"{unit.feature}: {unit.name}",
        "status": "broken",
        "statusDetails": {"message": message, "trace": trace},
        "start": now,
        "stop": now,
        "labels": [
            {"name": "framework", "value": "behave"},
            {"name": "feature", "value": unit.feature},
        ],
    }
    path = target / f"{result['uuid']}-result.json"
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    return path


def _merge_json(parts: Sequence[str]) -> str:
    features: dict[str, dict[str, Any]] = {}
    for text in parts:
        try:
            loaded = json.loads(text)
        except ValueError:
            continue
        for feature in loaded if isinstance(loaded, list) else []:
            key = str(feature.get("location", "")).split(":")[0] or str(feature.get("name"))
            if key not in features:
                features[key] = feature
            else:
                features[key].setdefault("elements", []).extend(feature.get("elements", []))
    for feature in features.values():
        feature.get("elements", []).sort(key=lambda e: _line(e.get("location")))
        if any(e.get("status") == "failed" for e in feature.get("elements", [])):
            feature["status"] = "failed"
    ordered = sorted(features.values(), key=lambda f: str(f.get("location", "")))
    return json.dumps(ordered, indent=2)


def _line(location: Any) -> int:
    try:
        return int(str(location).rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return 0


def merge_outputs(outputs: Mapping[str, Sequence[Path]], formats: Mapping[str, str]) -> None:
    """Write each requested output file from its per-worker parts (see the docstring)."""
    for target, parts in outputs.items():
        texts = [p.read_text(encoding="utf-8") for p in parts if p.is_file()]
        merged = _merge_json(texts) if formats.get(target) == "json" else "".join(texts)
        path = Path(target)
        if path.parent != Path(""):
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(merged, encoding="utf-8")
