"""Transport implementations of :mod:`wsbdd.runtime.transport` (one module per kind)."""
