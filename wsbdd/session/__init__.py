"""The scenario session: one area per kind of step (connections, messages, channels, crowds, HTTP, schemas, server control)."""

__all__: list[str] = []
