"""SIGTERM and SIGINT inside ``stop_on_signals`` (wsbdd.stopping), in this process."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from wsbdd.stopping import Interruption, stop_on_signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_first_signal_interrupts_the_block_at_once(signum: signal.Signals) -> None:
    reached_end = False
    with stop_on_signals(emergency=lambda _: None) as interruption:
        os.kill(os.getpid(), signum)
        threading.Event().wait(5)  # interrupted by the signal, long before 5 s
        reached_end = True
    assert not reached_end
    assert interruption.signum == signum
    assert interruption.exit_status == 128 + signum
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored


def test_a_block_that_does_not_stop_in_time_gets_the_emergency_stop() -> None:
    called = threading.Event()
    seen: list[Interruption] = []

    def emergency(interruption: Interruption) -> None:
        seen.append(interruption)
        called.set()

    with stop_on_signals(grace=0.2, emergency=emergency):
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            threading.Event().wait(5)
        except KeyboardInterrupt:
            assert called.wait(5)  # the block swallowed the interrupt and kept going
    assert seen and seen[0].name == "SIGTERM"


def test_a_second_signal_gets_the_emergency_stop_at_once() -> None:
    called = threading.Event()
    with stop_on_signals(grace=30, emergency=lambda _: called.set()) as interruption:
        try:
            os.kill(os.getpid(), signal.SIGINT)
            threading.Event().wait(5)
        except KeyboardInterrupt:
            os.kill(os.getpid(), signal.SIGINT)
            assert called.wait(5)
    assert interruption.name == "SIGINT"


def test_without_a_signal_nothing_happens() -> None:
    with stop_on_signals(emergency=lambda _: None) as interruption:
        pass
    assert interruption.signum is None and interruption.exit_status == 0


def test_a_signal_the_process_inherited_blocked_still_interrupts_the_block() -> None:
    # A parent's signal mask survives exec: a run started with SIGTERM blocked
    # would never see it. Here SIGTERM is blocked before the block starts.
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        reached_end = False
        with stop_on_signals(emergency=lambda _: None) as interruption:
            os.kill(os.getpid(), signal.SIGTERM)
            threading.Event().wait(5)
            reached_end = True
        assert not reached_end
        assert interruption.name == "SIGTERM"
        assert signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, set())  # mask restored
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
