"""The scenario session: one area per kind of step.

Connections, client actions, messages, channels, deliveries, crowds, HTTP,
schemas, binary frames, codecs, contracts and server control, composed by
:class:`wsbdd.session.scenario.ScenarioSession`.
"""

__all__: list[str] = []
