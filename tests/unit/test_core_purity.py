"""The pure core imports no I/O framework and exports exactly its public names."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("asyncio", "websockets", "behave", "httpx")
CORE_MODULES = (
    "wsbdd.core.matching",
    "wsbdd.core.matching.matchers",
    "wsbdd.core.matching.templating",
    "wsbdd.core.matching.jsonpath",
    "wsbdd.core.matching.schema",
    "wsbdd.core.matching.render",
    "wsbdd.core.expectations",
    "wsbdd.core.expectations.arrivals",
    "wsbdd.core.expectations.assignment",
    "wsbdd.core.expectations.closes",
    "wsbdd.core.expectations.failures",
    "wsbdd.core.expectations.several",
    "wsbdd.core.expectations.silence",
    "wsbdd.core.expectations.single",
    "wsbdd.core.expectations.unseen",
    "wsbdd.core.expectations.verdicts",
    "wsbdd.core.close_texts",
    "wsbdd.core.timing",
    "wsbdd.core.redaction",
    "wsbdd.core.codecs",
    "wsbdd.core.codecs.hexframes",
    "wsbdd.core.contracts",
    "wsbdd.core.contracts.check",
    "wsbdd.core.contracts.coverage",
    "wsbdd.core.contracts.document",
    "wsbdd.core.contracts.files",
    "wsbdd.core.contracts.model",
    "wsbdd.mock.analytics",
    "wsbdd.mock.identity",
    "wsbdd.mock.script",
)
CORE_FILES = [
    *sorted((ROOT / "wsbdd" / "core").rglob("*.py")),
    ROOT / "wsbdd" / "mock" / "analytics.py",
    ROOT / "wsbdd" / "mock" / "identity.py",
    ROOT / "wsbdd" / "mock" / "script.py",
]


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_no_forbidden_import_statement(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_importing_the_core_loads_no_forbidden_module() -> None:
    code = (
        "import json, sys\n"
        f"for name in {list(CORE_MODULES)!r}:\n"
        "    __import__(name)\n"
        f"print(json.dumps(sorted(m for m in {list(FORBIDDEN)!r} if m in sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize("name", CORE_MODULES)
def test_all_lists_every_public_name(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert len(exported) == len(module.__all__), "duplicates in __all__"
    for item in exported:
        assert hasattr(module, item), f"{name}.__all__ names missing {item}"
    defined_here = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == name
    }
    assert defined_here <= exported, f"not exported: {defined_here - exported}"


def test_package_reexports_the_contract() -> None:
    import wsbdd.core.matching as matching

    for item in (
        "match",
        "matches",
        "Mismatch",
        "Variables",
        "substitute",
        "render_json",
        "render_json_lines",
        "select",
        "PathNotFound",
        "SchemaStore",
        "SchemaViolation",
        "closest",
        "describe_expected",
        "render_mismatches",
        "render_wait_failure",
        "WaitFailure",
    ):
        assert item in matching.__all__
    for sub in ("matchers", "templating", "jsonpath", "schema", "render"):
        module = importlib.import_module(f"wsbdd.core.matching.{sub}")
        for item in module.__all__:
            if item in matching.__all__:
                assert getattr(matching, item) is getattr(module, item)
