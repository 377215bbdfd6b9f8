"""The pure core: records, errors, matching, timing, redaction, codecs, contracts, profiles.

Nothing here imports asyncio, websockets, behave or httpx (tests/unit/test_core_purity.py).
"""

__all__: list[str] = []
