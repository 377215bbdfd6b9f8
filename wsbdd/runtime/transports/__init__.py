"""Transport implementations (sibling kinds of connection behind :mod:`wsbdd.runtime.transport`)."""
