"""The pure core: records, errors, matching, timing, redaction, codecs, contracts, profiles,
expectations (sans-I/O state machines, see :mod:`wsbdd.core.expectations`).

Nothing here imports asyncio, websockets, behave or httpx (tests/unit/test_core_purity.py).
"""

__all__: list[str] = []
