"""The blocking face of the client: the same operations as AsyncAirlineClient, run on a private event loop in a
background thread, so it works from any code (a script, a web view, a worker), with or without a running loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator, Mapping, Sequence
from datetime import date
from types import TracebackType
from typing import Any, Self, TypeVar

from airline_client.aio import AsyncAirlineClient
from airline_client.connection import Auth, Target
from airline_client.models import (
    Booking,
    BookingConnection,
    BookingStatus,
    BookingStatusEvent,
    Flight,
    FlightConnection,
    FlightDelay,
    Loyalty,
    NewFlight,
    PassengerInput,
)
from airline_client.retry import Backoff

T = TypeVar("T")
_DONE = object()


async def _step(iterator: AsyncIterator[T]) -> T | object:
    try:
        return await anext(iterator)
    except StopAsyncIteration:
        return _DONE


class AirlineClient:
    """The airline API for blocking code; the same arguments as AsyncAirlineClient. Use it as
    `with AirlineClient(...) as client:` or call `close()`."""

    def __init__(
        self,
        url: str | None = None,
        *,
        api_key: str | None = None,
        token: str | None = None,
        auth: Auth | None = None,
        target: Target | str | None = None,
        realtime_url: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        backoff: Backoff | None = None,
    ) -> None:
        self._async = AsyncAirlineClient(
            url,
            api_key=api_key,
            token=token,
            auth=auth,
            target=target,
            realtime_url=realtime_url,
            headers=headers,
            timeout=timeout,
            backoff=backoff,
        )
        self.endpoint = self._async.endpoint
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="airline-client", daemon=True)
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self._async.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def _iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        try:
            while (item := self._run(_step(iterator))) is not _DONE:
                yield item  # type: ignore[misc]
        finally:
            # Stopping early (break, an exception) closes the async side too: its socket, its task.
            if not self._loop.is_closed():
                self._run(iterator.aclose())  # type: ignore[attr-defined]

    # -- flights -------------------------------------------------------------------------------------------------

    def list_flights_page(
        self,
        departure_airport_code: str,
        arrival_airport_code: str,
        departure_date: date | None = None,
        *,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> FlightConnection:
        return self._run(
            self._async.list_flights_page(
                departure_airport_code, arrival_airport_code, departure_date, limit=limit, next_token=next_token
            )
        )

    def list_flights(
        self,
        departure_airport_code: str,
        arrival_airport_code: str,
        departure_date: date | None = None,
        *,
        page_size: int = 20,
    ) -> Iterator[Flight]:
        return self._iterate(
            self._async.list_flights(departure_airport_code, arrival_airport_code, departure_date, page_size=page_size)
        )

    def get_flight(self, flight_id: str) -> Flight | None:
        return self._run(self._async.get_flight(flight_id))

    def create_flight(self, flight: NewFlight) -> Flight:
        return self._run(self._async.create_flight(flight))

    def delay_flight(self, flight_id: str, delay_minutes: int, reason: str) -> FlightDelay:
        return self._run(self._async.delay_flight(flight_id, delay_minutes, reason))

    # -- bookings ------------------------------------------------------------------------------------------------

    def init_booking(
        self,
        outbound_flight_id: str,
        payment_token: str | None = None,
        *,
        passengers: Sequence[PassengerInput],
        hold: bool = False,
        idempotency_key: str | None = None,
        customer: str | None = None,
    ) -> Booking:
        return self._run(
            self._async.init_booking(
                outbound_flight_id,
                payment_token,
                passengers=passengers,
                hold=hold,
                idempotency_key=idempotency_key,
                customer=customer,
            )
        )

    def pay_booking(self, booking_id: str, payment_token: str, idempotency_key: str | None = None) -> Booking:
        return self._run(self._async.pay_booking(booking_id, payment_token, idempotency_key))

    def extend_hold(self, booking_id: str) -> Booking:
        return self._run(self._async.extend_hold(booking_id))

    def get_booking(self, booking_id: str) -> Booking | None:
        return self._run(self._async.get_booking(booking_id))

    def list_bookings_page(
        self,
        status: BookingStatus | None = None,
        *,
        customer: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> BookingConnection:
        return self._run(self._async.list_bookings_page(status, customer=customer, limit=limit, next_token=next_token))

    def list_bookings(
        self, status: BookingStatus | None = None, *, customer: str | None = None, page_size: int = 20
    ) -> Iterator[Booking]:
        return self._iterate(self._async.list_bookings(status, customer=customer, page_size=page_size))

    def cancel_booking(self, booking_id: str) -> Booking:
        return self._run(self._async.cancel_booking(booking_id))

    def check_in(self, booking_id: str) -> Booking:
        return self._run(self._async.check_in(booking_id))

    def get_loyalty(self, customer: str | None = None) -> Loyalty:
        return self._run(self._async.get_loyalty(customer))

    def wait_for_booking(self, booking: str | Booking, timeout: float = 120.0, *, recheck: float = 5.0) -> Booking:
        return self._run(self._async.wait_for_booking(booking, timeout, recheck=recheck))

    # -- live updates --------------------------------------------------------------------------------------------

    def subscribe_booking_status(
        self, customer: str | None = None, booking_id: str | None = None
    ) -> Iterator[BookingStatusEvent]:
        return self._iterate(self._async.subscribe_booking_status(customer, booking_id))

    def subscribe_flight_delays(
        self,
        flight_id: str | None = None,
        departure_airport_code: str | None = None,
        *,
        flight_ids: Sequence[str] | None = None,
    ) -> Iterator[FlightDelay]:
        return self._iterate(
            self._async.subscribe_flight_delays(flight_id, departure_airport_code, flight_ids=flight_ids)
        )
