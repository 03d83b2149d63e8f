"""The local runtime keeps only the latest events, notices and dead letters, as many as its history setting says."""

from __future__ import annotations

from typing import Any

import pytest

from appsync.local.events.runtime import HISTORY_ENV, LocalEventBus, LocalRuntime, RecordingNotifier, history_limit
from resolvers import events


def test_the_bus_and_the_notifier_keep_only_the_latest() -> None:
    # Given a bus with no consumers and a notifier, each keeping 3
    bus = LocalEventBus(rules=(), history=3)
    notifier = RecordingNotifier(history=3)

    # When 10 events are published and 10 notices made
    for n in range(10):
        bus.publish([events.DomainEvent("test.happened", {"n": n}, subject=str(n))])
        notifier.booking_status(notice(n))
    bus.shutdown()

    # Then each keeps the last 3, in order
    assert [event.detail["n"] for event in bus.published] == [7, 8, 9]
    assert [booking.booking_reference for booking in notifier.notices] == ["R7", "R8", "R9"]


def test_the_history_comes_from_the_environment_and_must_be_positive(monkeypatch: pytest.MonkeyPatch) -> None:
    assert history_limit({}) == 5000
    assert history_limit({HISTORY_ENV: "20"}) == 20
    with pytest.raises(ValueError, match=HISTORY_ENV):
        history_limit({HISTORY_ENV: "0"})
    monkeypatch.setenv(HISTORY_ENV, "2")
    runtime = LocalRuntime()
    for n in range(5):
        runtime._dead_letter({"bookingId": f"b-{n}"})
    assert list(runtime.dead_letters) == [{"bookingId": "b-3"}, {"bookingId": "b-4"}]
    runtime.bus.shutdown()


def notice(n: int) -> Any:
    class Notice:
        booking_reference = f"R{n}"
        status = "CONFIRMED"

    return Notice()
