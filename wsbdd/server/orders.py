"""``POST /orders``: validate, answer 201, then push ``order.created`` and ``order.paid``."""

from __future__ import annotations

import asyncio
from typing import Any

from .channels import orders_channel
from .clock import new_id, utc_now
from .hub import Hub

__all__ = ["OrderError", "OrderService"]


class OrderError(ValueError):
    """The order body is invalid; ``str(err)`` says why."""


class OrderService:
    """Creates orders and pushes their lifecycle events to ``orders.user-<user>``."""

    def __init__(self, hub: Hub, *, paid_delay: float, bugs: frozenset[str]) -> None:
        self.hub = hub
        self.paid_delay = paid_delay
        self.bugs = bugs
        self._timers: set[asyncio.TimerHandle] = set()

    @staticmethod
    def validate(body: Any) -> tuple[str, int]:
        """``(item, qty)`` from ``{"item": str, "qty": int > 0}`` or ``OrderError``."""
        if not isinstance(body, dict):
            raise OrderError("expected a JSON object {item, qty}")
        item, qty = body.get("item"), body.get("qty")
        if not isinstance(item, str) or not item.strip():
            raise OrderError("item must be a non-empty string")
        if isinstance(qty, bool) or not isinstance(qty, int) or qty <= 0:
            raise OrderError("qty must be a positive integer")
        return item, qty

    def create(self, user: str, item: str, qty: int) -> dict[str, Any]:
        """Record an order, push ``order.created`` now and ``order.paid`` shortly after."""
        order_id = new_id("ord")
        created: dict[str, Any] = {
            "type": "order.created",
            "id": order_id,
            "item": item,
            "qty": str(qty) if "bad_schema" in self.bugs else qty,
            "user": user,
            "ts": utc_now(),
        }
        channel = orders_channel(user)
        self.hub.publish(channel, created)
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle | None = None

        def paid() -> None:
            if handle is not None:
                self._timers.discard(handle)
            frame = {
                "type": "order.paid",
                "id": order_id,
                "item": item,
                "qty": qty,
                "user": user,
                "ts": utc_now(),
            }
            self.hub.publish(channel, frame)

        handle = loop.call_later(self.paid_delay, paid)
        self._timers.add(handle)
        return {"id": order_id, "status": "created", "item": item, "qty": qty}

    def close(self) -> None:
        """Cancel pending ``order.paid`` pushes (server stop)."""
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()
