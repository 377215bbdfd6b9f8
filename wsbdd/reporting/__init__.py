"""Reporting adapters: turn recorded transcripts into report attachments.

The core never needs Allure: when ``allure`` cannot be imported, or no Allure
formatter is active, attaching is a no-op.
"""

from __future__ import annotations

from wsbdd.reporting.transcript import attach_scenario_record, render_transcript

__all__ = ["attach_scenario_record", "render_transcript"]
