"""Every shell block of the README and the tutorial works, run in order in a fresh folder.

The README's blocks run in a fresh copy of this checkout (a new git
repository holding its files); the tutorial's run in an empty folder, and
install wsbdd "from its git repository": that copy. What the blocks may not
do here is listed in :func:`substitutions`, each with the reason and a
stand-in that still fails when the command breaks (and every one must be
used, so that a changed command is never silently skipped); directives in the Markdown
(tests/docs/shell_blocks.py) say which blocks show a failure, which write a
file, which output to compare and which are illustrative.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.shell_blocks import Block, read_blocks

REPO = Path(__file__).resolve().parents[2]
DEV_VENV = Path(sys.prefix)
DEV_SITE = sysconfig.get_paths()["purelib"]
BLOCK_TIMEOUT = 300.0


@dataclass(frozen=True)
class Substitution:
    """A command the test may not run as written, and what runs in its place."""

    pattern: str
    replacement: str
    why: str


URL, DEV_INSTALL, VENV, SUITE_VENV, PYTEST, REPORT_TOOLS, BENCH = range(7)
"""Positions in :func:`substitutions`."""


def patterns(rules: list[Substitution], *which: int) -> set[str]:
    return {rules[index].pattern for index in which}


DEV_PIP = "#!{python}\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
"""The ``pip`` command of a venv made ``--without-pip``: the dev venv's pip, run by its python."""

LINK_DEV_DEPS = (
    "import pathlib, sys, sysconfig; "
    f"pathlib.Path(sysconfig.get_paths()['purelib'], 'dev-deps.pth').write_text({DEV_SITE!r}); "
    "pip = pathlib.Path(sys.prefix, 'bin', 'pip'); "
    f"pip.write_text({DEV_PIP!r}.format(python=sys.executable)); "
    "pip.chmod(0o755)"
)
"""Python code, run by a new venv's python: it sees this checkout's packages, and gets a ``pip``.

``python -m venv`` copies pip into every new venv (ensurepip): 7 s of CPU on
the two-core machine, three times a test run. A venv made ``--without-pip``
instead finds the dev venv's pip (ensurepip's version of the same Python)
through the ``.pth`` file, and its ``pip`` script installs into the new venv
(pip installs into ``sys.prefix``).
"""


def dev_deps(python: str) -> str:
    """A command that gives the venv of ``python`` this checkout's packages and pip."""
    return f"{python} -c {shlex.quote(LINK_DEV_DEPS)}"


NO_ISOLATION = (
    "and wsbdd is built with its setuptools, without pip's isolated build environment (3 s "
    "of CPU more): the README's `pip install` from git and its `python -m build` build the "
    "same pyproject.toml isolated"
)


def substitutions(copy: Path) -> list[Substitution]:
    url = f"file://localhost{copy}"
    return [
        Substitution(r"<repository URL>", url, "the repository is this checkout's copy"),
        Substitution(
            r'^python3 -m venv \.venv && \.venv/bin/pip install -q -e "\.\[dev\]"'
            r" && \.venv/bin/wsbdd run$",
            f"ln -s {shlex.quote(str(DEV_VENV))} .venv && .venv/bin/wsbdd run --dry-run",
            "the dev install is this checkout's own .venv, and the shipped suite runs once a "
            "pytest run, the same `wsbdd run` (tests/conftest.py, shipped_suite_run); here a "
            "dry run proves the command, the features and every step (.ci/run runs the whole "
            "line as written, in a clean clone)",
        ),
        Substitution(
            r"^python3 -m venv \.venv && \. \.venv/bin/activate$",
            "python3 -m venv --without-pip .venv && . .venv/bin/activate && "
            + dev_deps("python")
            + " && export PIP_NO_BUILD_ISOLATION=0",
            f"wsbdd's dependencies and pip come from this checkout's .venv ({NO_ISOLATION})",
        ),
        Substitution(
            r"^python3 -m venv \.venv && \.venv/bin/pip install -r requirements\.txt$",
            "python3 -m venv --without-pip .venv && "
            + dev_deps(".venv/bin/python")
            + " && PIP_NO_BUILD_ISOLATION=0 .venv/bin/pip install -r requirements.txt",
            f"wsbdd's dependencies and pip come from this checkout's .venv ({NO_ISOLATION})",
        ),
        Substitution(
            r"^\.venv/bin/pytest\b.*$",
            ".venv/bin/pytest -q -p no:cacheprovider --collect-only "
            "tests/docs/test_shell_blocks.py",
            "the project's tests include this one: collecting this module proves the command and "
            "its configuration (collecting all of them twice took 12 s of the test's 50; the run "
            "this test is part of collects them all anyway)",
        ),
        Substitution(
            r"^\.ci/install-report-tools\b.*$",
            "test -x .ci/install-report-tools",
            "it installs system packages with sudo (CI runs it)",
        ),
        Substitution(
            r"bench/run_all\.py --quick\b.*$",
            "bench/run_all.py --quick --list",
            "every benchmark takes minutes and both cores",
        ),
    ]


class Session:
    """Runs blocks one after another: the working directory and exports carry over."""

    def __init__(self, cwd: Path, state: Path, environ: dict[str, str]) -> None:
        self.cwd = cwd
        self.state = state
        state.mkdir()
        (state / "env").write_text("")
        (state / "cwd").write_text(str(cwd))
        self.environ = environ

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        cwd = (self.state / "cwd").read_text().strip()
        wrapped = (
            f". {shlex.quote(str(self.state / 'env'))}\n"
            f"cd {shlex.quote(cwd)}\n"
            f"trap 'pwd > {shlex.quote(str(self.state / 'cwd'))}; "
            f"export -p > {shlex.quote(str(self.state / 'env'))}' EXIT\n"
            "set -euo pipefail\n" + script
        )
        return subprocess.run(
            ["bash", "-c", wrapped],
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=BLOCK_TIMEOUT,
            check=False,
        )

    def path(self, relative: str) -> Path:
        return Path((self.state / "cwd").read_text().strip()) / relative


def substitute(block: Block, rules: list[Substitution], used: set[str]) -> str:
    lines = []
    for line in block.text.splitlines():
        for rule in rules:
            new = re.sub(rule.pattern, lambda _m, r=rule: r.replacement, line)
            if new != line:
                used.add(rule.pattern)
                line = new
        lines.append(line)
    return "\n".join(lines) + "\n"


def output_pattern(line: str) -> re.Pattern[str]:
    """An expected output line; numbers, hex ids and times may differ, ``...`` is anything."""
    parts = re.split(r"(\.\.\.|…|[0-9a-f]*[0-9][0-9a-f.:TZ]*)", line.strip())
    regex = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.escape(part)
        elif part in ("...", "…"):
            regex += ".*"
        else:
            regex += r"[0-9a-f.:TZ]+"
    return re.compile(regex)


def commands_of(text: str) -> list[str]:
    """The program of each command line of a block (for illustrative blocks)."""
    programs = []
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
            words = words[1:]
        if words:
            programs.append(words[0])
    return programs


def run_doc(
    name: str, session: Session, rules: list[Substitution], path: Path | None = None
) -> set[str]:
    """Run every block of ``name`` (at ``path``, else in this checkout).

    Returns the patterns of the substitutions it used.
    """
    blocks = read_blocks(path or REPO / name, name)
    assert any(b.language == "sh" for b in blocks), f"{name} has no sh blocks"
    used: set[str] = set()
    last: subprocess.CompletedProcess[str] | None = None
    for block in blocks:
        before = block.directive("run-before")
        if before:
            done = session.run(before)
            assert done.returncode == 0, f"{block.where}: run-before failed\n{done.stderr}"
        target = block.directive("file")
        if target:
            path = session.path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, encoding="utf-8")
            continue
        output = block.directive("output")
        if output is not None:
            source = last
            if output.startswith("of "):
                source = session.run(output.removeprefix("of ") + "\n")
            assert source is not None, f"{block.where}: an output block needs a sh block before it"
            shown = source.stdout + source.stderr
            for line in filter(str.strip, block.text.splitlines()):
                assert output_pattern(line).search(shown), (
                    f"{block.where}: the docs show\n  {line}\nbut the command printed:\n{shown}"
                )
            continue
        if block.language != "sh":
            continue
        text = substitute(block, rules, used)
        if block.directive("skip") is not None:
            check = "".join(f"command -v {shlex.quote(p)} >/dev/null\n" for p in commands_of(text))
            result = session.run(check)
            assert result.returncode == 0, f"{block.where}: a command of this block is missing"
            continue
        result = session.run(text)
        shown = f"{block.where}:\n{text}\nexit {result.returncode}\n{result.stdout}{result.stderr}"
        if block.directive("fails") is not None:
            assert result.returncode != 0, f"expected this block to fail:\n{shown}"
        else:
            assert result.returncode == 0, shown
        last = result
    return used


def fresh_copy(where: Path) -> Path:
    """This checkout's files (committed or not, git-ignored ones left out) as a new repository."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, files):
        relative = raw.decode()
        source = REPO / relative
        if source.is_file():
            (where / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, where / relative)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "copy"]):
        subprocess.run(
            ["git", "-c", "user.name=docs", "-c", "user.email=docs@test", *args],
            cwd=where,
            capture_output=True,
            check=True,
        )
    return where


def clean_environ() -> dict[str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("WSBDD_", "VIRTUAL_ENV", "PYTHON")) and k != "CI"
    }
    bin_dir = str(DEV_VENV / "bin")
    environ["PATH"] = os.pathsep.join(
        p for p in environ.get("PATH", "").split(os.pathsep) if p != bin_dir
    )
    return environ


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_every_shell_block_of_the_tutorial_works(tmp_path: Path) -> None:
    copy = fresh_copy(tmp_path / "wsbdd")
    rules = substitutions(copy)
    folder = tmp_path / "work"
    folder.mkdir()
    session = Session(folder, tmp_path / "state", clean_environ())
    used = run_doc("docs/tutorial.md", session, rules)
    assert used == patterns(rules, URL, VENV), "the tutorial's install changed"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_readme_of_a_new_suite_installs_wsbdd_and_the_suite_runs(tmp_path: Path) -> None:
    rules = substitutions(tmp_path)
    made = subprocess.run(
        [str(DEV_VENV / "bin" / "wsbdd"), "init", "suite"], cwd=tmp_path, capture_output=True
    )
    assert made.returncode == 0, made.stderr
    suite = tmp_path / "suite"
    session = Session(suite, tmp_path / "state", clean_environ())
    used = run_doc("README.md of a new suite", session, rules, suite / "README.md")
    assert used == patterns(rules, SUITE_VENV), "the new suite's README install changed"
    run = session.run("command -v wsbdd\nwsbdd run\n")
    output = run.stdout + run.stderr
    if run.returncode != 0:  # what the install left (once, in a full run: no wsbdd on PATH)
        seen = session.run("echo PATH=$PATH; ls -l .venv/bin; python -m pip show -f wsbdd || true")
        output += f"\n--- the suite's venv ---\n{seen.stdout}{seen.stderr}"
    assert run.returncode == 0, output
    assert output.startswith(f"{suite}/.venv/bin/wsbdd\n"), output  # the suite's own install
    assert "3 scenarios passed, 0 failed" in output


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_every_shell_block_of_the_readme_works(tmp_path: Path) -> None:
    copy = fresh_copy(tmp_path / "wsbdd")
    rules = substitutions(copy)
    environ = clean_environ()
    # README's install commands use bare pip/python "in a virtual environment".
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-c", LINK_DEV_DEPS], check=True)
    # a developer's checkout has mypy's cache; mypy checks each file's hash against it
    if (REPO / ".mypy_cache").is_dir():
        shutil.copytree(REPO / ".mypy_cache", copy / ".mypy_cache")
    environ["PATH"] = f"{venv / 'bin'}{os.pathsep}{environ['PATH']}"
    environ["VIRTUAL_ENV"] = str(venv)
    session = Session(copy, tmp_path / "state", environ)
    used = run_doc("README.md", session, rules)
    expected = patterns(rules, URL, DEV_INSTALL, PYTEST, REPORT_TOOLS, BENCH)
    assert used == expected, "the README's commands changed"
