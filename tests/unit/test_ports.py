"""The adapters behind the domain's ports: the configured one made once per process, even when threads ask at the
same time; one installed by the local runtime or a test wins until it is taken back."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from resolvers import events, notifications, payments
from resolvers.ports import Port
from resolvers.saga import starter


def test_the_configured_adapter_is_made_once_when_many_threads_ask_at_once() -> None:
    made: list[object] = []
    lock = threading.Lock()

    def configured() -> object:
        time.sleep(0.01)  # long enough for every thread to arrive before the first one is done
        adapter = object()
        with lock:
            made.append(adapter)
        return adapter

    port: Port[object] = Port(configured)
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: port.get(), range(32)))

    assert len(made) == 1
    assert all(adapter is made[0] for adapter in got)


def test_an_installed_adapter_wins_until_taken_back() -> None:
    port: Port[str] = Port(lambda: "configured")
    assert port.use("local") is None
    assert port.get() == "local"

    assert port.use(None) == "local"
    assert port.get() == "configured"


def test_each_port_of_the_domain_is_one() -> None:
    for use, get in (
        (events.use_bus, events.bus),
        (starter.use_starter, starter.starter),
        (payments.use_provider, payments.provider),
        (notifications.use_notifier, notifications.notifier),
    ):
        stand_in = object()
        previous = use(stand_in)  # type: ignore[arg-type]
        try:
            assert get() is stand_in
        finally:
            use(previous)
