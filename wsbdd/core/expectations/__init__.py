"""Expectations as sans-I/O state machines: fed a client's events, they answer a verdict.

The loop side (:mod:`wsbdd.session.receiving`) feeds each machine the
messages that arrived, the connection's close and the deadline, the way
websockets' ``protocol.py`` is fed bytes; the machine answers
:data:`~wsbdd.core.expectations.verdicts.PENDING`, :class:`Satisfied` (with
the messages to consume) or :class:`Failed` (with the text a tester reads).
Nothing here does I/O or reads a clock except :class:`Deadline`'s
constructors; times arrive in the events.

* :class:`Receive`, :class:`Next`, :class:`NextWhere` – one message;
* :class:`InOrder`, :class:`InOrderWhere`, :class:`AnyOrder`, :class:`Count` – several;
* :class:`NoneWithin` – silence; :class:`Closed`, :class:`StaysOpen` – the close;
* :class:`PingArrival`, :class:`PongArrival` and the "too late" texts – arrivals.
"""

from __future__ import annotations

from wsbdd.core.deadlines import Deadline
from wsbdd.core.expectations.arrivals import (
    PingArrival,
    PongArrival,
    all_in_time,
    late_among,
    late_one,
)
from wsbdd.core.expectations.assignment import assign, assign_any_order, find_in_order
from wsbdd.core.expectations.closes import Closed, StaysOpen
from wsbdd.core.expectations.failures import CLOSEST_SEARCHED, wait_failure
from wsbdd.core.expectations.several import AnyOrder, Count, InOrder, InOrderWhere
from wsbdd.core.expectations.silence import NoneWithin
from wsbdd.core.expectations.single import Next, NextWhere, Receive, json_like
from wsbdd.core.expectations.unseen import NewMessages
from wsbdd.core.expectations.verdicts import (
    PENDING,
    Expectation,
    Failed,
    Failure,
    GivesUpWhenClosed,
    Pending,
    Satisfied,
    Verdict,
    View,
)

__all__ = [
    "CLOSEST_SEARCHED",
    "PENDING",
    "AnyOrder",
    "Closed",
    "Count",
    "Deadline",
    "Expectation",
    "Failed",
    "Failure",
    "GivesUpWhenClosed",
    "InOrder",
    "InOrderWhere",
    "NewMessages",
    "Next",
    "NextWhere",
    "NoneWithin",
    "Pending",
    "PingArrival",
    "PongArrival",
    "Receive",
    "Satisfied",
    "StaysOpen",
    "Verdict",
    "View",
    "all_in_time",
    "assign",
    "assign_any_order",
    "find_in_order",
    "json_like",
    "late_among",
    "late_one",
    "wait_failure",
]
