"""Reporting adapters: turn what a run recorded into Allure attachments.

The core never needs Allure: when ``allure`` cannot be imported, or no Allure
formatter is active, attaching is a no-op. See docs/reporting.md.

* :mod:`~wsbdd.reporting.transcript` – each client's handshake, frames and close;
* :mod:`~wsbdd.reporting.failure` – expected value, closest message and diff;
* :mod:`~wsbdd.reporting.latency` – latency table and histogram (SVG);
* :mod:`~wsbdd.reporting.run_environment` – the report's Environment section;
* :mod:`~wsbdd.reporting.statuses` and :mod:`~wsbdd.reporting.allure_formatter`
  – the formatter ``wsbdd run`` uses (behave 1.3 statuses, short label tags);
* :mod:`~wsbdd.reporting.redaction_scope` – the run's redactor for the Allure writer;
* :mod:`~wsbdd.reporting.scenario_report` – the glue called by ``wsbdd.hooks``;
* :mod:`~wsbdd.reporting.categories` – product defects apart from broken tests;
* :mod:`~wsbdd.reporting.results_folder` – a clean results folder for each run;
* :mod:`~wsbdd.reporting.allure_tool` – finding Allure 3 (or Allure 2) for ``wsbdd report``;
* :mod:`~wsbdd.reporting.report_history` – the history that fills the report's trend;
* :mod:`~wsbdd.reporting.allure_cli` – building the report with Allure, and serving it.
"""

from __future__ import annotations

from wsbdd.reporting.redaction_scope import use_redactor
from wsbdd.reporting.run_environment import write_environment
from wsbdd.reporting.scenario_report import ScenarioReport
from wsbdd.reporting.transcript import attach_scenario_record, render_transcript

__all__ = [
    "ScenarioReport",
    "attach_scenario_record",
    "render_transcript",
    "use_redactor",
    "write_environment",
]
