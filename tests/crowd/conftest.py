"""Fixtures for the crowd tests: the feature harness's reference server and projects."""

from tests.features.conftest import project, reference_server

__all__ = ["project", "reference_server"]
