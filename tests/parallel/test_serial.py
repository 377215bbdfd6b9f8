"""``@serial`` scenarios run alone, after every other scenario of the run."""

from __future__ import annotations

import json
from pathlib import Path

from tests.parallel.projects import WsbddProject, with_test_steps


def waiting(name: str) -> str:
    return f"""
      Scenario: {name}
        Given I note "{name} starts"
        And client A is connected as alice
        Then client A receives no message matching {{"type": "message"}} within 400 ms
        And I note "{name} ends"
    """


def notes(log: Path) -> dict[str, dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    return {str(line["what"]): line for line in lines}


def test_serial_scenarios_start_after_every_other_one_ended(
    project: WsbddProject, tmp_path: Path
) -> None:
    with_test_steps(project)
    log = tmp_path / "notes.jsonl"
    project.features(
        {
            # first in file order: the worker holding it still runs it last
            "a_serial.feature": "Feature: Alone\n"
            + waiting("parallel zero")
            + "\n  @serial"
            + waiting("serial one"),
            "b_waits.feature": "Feature: Waits\n"
            + "".join(waiting(n) for n in ("p one", "p two", "p three")),
        }
    )
    done = project.run("-j", "3", name="parallel", extra_env={"TEST_LOG": str(log)})
    assert done.run.returncode == 0, done.run.output

    noted = notes(log)
    others = [k for k in noted if k.endswith(" ends") and not k.startswith("serial")]
    assert len(others) == 4
    last_other_end = max(float(noted[k]["t"]) for k in others)  # type: ignore[arg-type]
    assert float(noted["serial one starts"]["t"]) >= last_other_end  # type: ignore[arg-type]
    workers = {noted[k]["worker"] for k in others}
    assert len(workers) >= 2, noted  # the others did run in parallel
    assert "then 1 @serial alone" in done.run.output


def test_a_serial_tag_on_the_feature_makes_all_its_scenarios_serial(
    project: WsbddProject, tmp_path: Path
) -> None:
    with_test_steps(project)
    log = tmp_path / "notes.jsonl"
    project.features(
        {
            "a_serial.feature": "@serial\nFeature: Alone\n"
            + waiting("serial one")
            + waiting("serial two"),
            "b_waits.feature": "Feature: Waits\n" + waiting("p one") + waiting("p two"),
        }
    )
    done = project.run("-j", "2", name="parallel", extra_env={"TEST_LOG": str(log)})
    assert done.run.returncode == 0, done.run.output
    noted = notes(log)
    last_other_end = max(float(noted[f"p {n} ends"]["t"]) for n in ("one", "two"))  # type: ignore[arg-type]
    assert float(noted["serial one starts"]["t"]) >= last_other_end  # type: ignore[arg-type]
    assert float(noted["serial two starts"]["t"]) >= last_other_end  # type: ignore[arg-type]
    assert noted["serial one ends"]["worker"] == noted["serial two ends"]["worker"]
