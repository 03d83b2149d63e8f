"""The async face of the client: every operation of the API as a typed coroutine or async iterator."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import date
from types import TracebackType
from typing import Any, Self

import aiohttp
from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportError, TransportQueryError, TransportServerError
from websockets.exceptions import WebSocketException

from airline_client.connection import Auth, Endpoint, Target, Token, http_transport, subscription_transport
from airline_client.documents import document
from airline_client.errors import AirlineError, BookingTimeout, NotAuthenticated, TransportFailure, api_error
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
from airline_client.retry import NO_RETRY, Backoff, with_retries

# Failures below GraphQL: the request may not have arrived, or its answer was lost.
_TRANSPORT_ERRORS = (TransportError, aiohttp.ClientError, WebSocketException, OSError, asyncio.TimeoutError)


def _failure(error: BaseException) -> AirlineError:
    """Our exception for an exception of gql or the network."""
    if isinstance(error, TransportQueryError):
        errors = error.errors or [{"message": str(error)}]
        first = errors[0] if isinstance(errors[0], Mapping) else {"message": str(errors[0])}
        # AppSync's real-time `error` message: gql hands over its payload, {"errors": [...]}.
        nested = first.get("errors")
        if isinstance(nested, list) and nested and isinstance(nested[0], Mapping):
            first = nested[0]
        if first.get("errorType") == "UnauthorizedException":
            return NotAuthenticated(str(first.get("message")), 401)
        return api_error(first)
    if isinstance(error, TransportServerError):
        # A refused real-time handshake (connection_error) reaches gql's caller only as its message.
        if error.code == 401 or (error.code is None and "UnauthorizedException" in str(error)):
            return NotAuthenticated(str(error), 401)
        return TransportFailure(str(error), error.code)
    return TransportFailure(f"{type(error).__name__}: {error}")


async def _next(events: AsyncIterator[Any]) -> Any:
    try:
        return await anext(events)
    except StopAsyncIteration:
        raise TransportFailure("the server ended the subscription") from None


class AsyncAirlineClient:
    """The airline API for asyncio code. Use it as `async with AsyncAirlineClient(...) as client:` (or call
    `aclose()`); the HTTP connection is opened on first use and reused.

    Where it connects and how it signs in: `url`, `api_key` / `token` / `auth` (ApiKey, Token, Iam), `target`,
    `realtime_url`, `headers`, or the AIRLINE_* environment variables (see Endpoint.resolve)."""

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
        self.endpoint = Endpoint.resolve(
            url,
            auth=auth,
            api_key=api_key,
            token=token,
            target=target,
            realtime_url=realtime_url,
            headers=headers,
            timeout=timeout,
        )
        self.backoff = backoff or Backoff()
        self._client = Client(transport=http_transport(self.endpoint))
        self._session: AsyncClientSession | None = None
        self._connecting: asyncio.Lock | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._session is not None:
            self._session = None
            await self._client.close_async()

    # -- requests ------------------------------------------------------------------------------------------------

    async def _http(self) -> AsyncClientSession:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._session is None:
                session = await self._client.connect_async()
                assert isinstance(session, AsyncClientSession)
                self._session = session
        return self._session

    async def _send(self, operation: str, variables: dict[str, Any]) -> dict[str, Any]:
        request = GraphQLRequest(document(operation), variable_values=variables, operation_name=operation)
        try:
            session = await self._http()
            return await session.execute(request)
        except AirlineError:
            raise
        except (TransportQueryError, *_TRANSPORT_ERRORS) as error:
            raise _failure(error) from error

    async def _execute(self, operation: str, variables: dict[str, Any], *, retry: bool) -> dict[str, Any]:
        return await with_retries(lambda: self._send(operation, variables), self.backoff if retry else NO_RETRY)

    # -- flights -------------------------------------------------------------------------------------------------

    async def list_flights_page(
        self,
        departure_airport_code: str,
        arrival_airport_code: str,
        departure_date: date | None = None,
        *,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> FlightConnection:
        """One page of flights on a route, earliest first; on one departure date (UTC), or from now on."""
        flight_filter: dict[str, Any] = {
            "departureAirportCode": departure_airport_code,
            "arrivalAirportCode": arrival_airport_code,
        }
        if departure_date is not None:
            flight_filter["departureDate"] = departure_date.isoformat()
        variables = {"filter": flight_filter, "limit": limit, "nextToken": next_token}
        data = await self._execute("ListFlights", variables, retry=True)
        return FlightConnection.from_graphql(data["listFlights"])

    async def list_flights(
        self,
        departure_airport_code: str,
        arrival_airport_code: str,
        departure_date: date | None = None,
        *,
        page_size: int = 20,
    ) -> AsyncIterator[Flight]:
        """Every flight on a route (on one date, or from now on), earliest first, following nextToken."""
        next_token: str | None = None
        while True:
            page = await self.list_flights_page(
                departure_airport_code, arrival_airport_code, departure_date, limit=page_size, next_token=next_token
            )
            for flight in page.items:
                yield flight
            if not page.next_token:
                return
            next_token = page.next_token

    async def get_flight(self, flight_id: str) -> Flight | None:
        data = await self._execute("GetFlight", {"id": flight_id}, retry=True)
        return None if data["getFlight"] is None else Flight.from_graphql(data["getFlight"])

    async def create_flight(self, flight: NewFlight) -> Flight:
        """Add a flight to the catalog (Admins, IAM). Not retried: a second call would add a second flight."""
        data = await self._execute("CreateFlight", {"input": flight.to_graphql()}, retry=False)
        return Flight.from_graphql(data["createFlight"])

    async def delay_flight(self, flight_id: str, delay_minutes: int, reason: str) -> FlightDelay:
        """Delay a flight by `delay_minutes` more (Admins, IAM). Not retried: a repeat would delay it twice."""
        variables = {"input": {"flightId": flight_id, "delayMinutes": delay_minutes, "reason": reason}}
        data = await self._execute("DelayFlight", variables, retry=False)
        return FlightDelay.from_graphql(data["delayFlight"])

    # -- bookings ------------------------------------------------------------------------------------------------

    async def init_booking(
        self,
        outbound_flight_id: str,
        payment_token: str | None = None,
        *,
        passengers: Sequence[PassengerInput],
        hold: bool = False,
        idempotency_key: str | None = None,
        customer: str | None = None,
    ) -> Booking:
        """Book a seat for each of the 1 to 9 passengers, all or none: answers the PENDING booking at once
        (wait_for_booking follows it to its outcome); its total_price is what the saga charges.
        With hold=True (no payment_token) the seats are taken and nothing is charged: the booking is HELD until
        its hold_expires_at (pay_booking pays it, extend_hold prolongs it).
        Retried with the same idempotency key (a fresh UUID unless one is given), so a retry books nothing new."""
        if payment_token is None and not hold:
            raise ValueError("payment_token is needed unless hold=True")
        booking_input: dict[str, Any] = {
            "outboundFlightId": outbound_flight_id,
            "passengers": [passenger.to_graphql() for passenger in passengers],
            "idempotencyKey": idempotency_key or str(uuid.uuid4()),
        }
        if payment_token is not None:
            booking_input["paymentToken"] = payment_token
        if hold:
            booking_input["hold"] = True
        if customer is not None:
            booking_input["customer"] = customer
        data = await self._execute("InitBooking", {"input": booking_input}, retry=True)
        return Booking.from_graphql(data["initBooking"])

    async def pay_booking(self, booking_id: str, payment_token: str, idempotency_key: str | None = None) -> Booking:
        """Pay a HELD booking before its hold_expires_at: answers it PENDING (wait_for_booking follows it to
        CONFIRMED or FAILED). HoldExpired once the hold expired, BookingNotPayable if it is not HELD.
        Retried with the same idempotency key (a fresh UUID unless one is given), so it charges once; the same key
        with another payment_token is an IdempotencyConflict."""
        variables = {
            "id": booking_id,
            "paymentToken": payment_token,
            "idempotencyKey": idempotency_key or str(uuid.uuid4()),
        }
        data = await self._execute("PayBooking", variables, retry=True)
        return Booking.from_graphql(data["payBooking"])

    async def extend_hold(self, booking_id: str) -> Booking:
        """Move a HELD booking's hold_expires_at later by the hold duration, up to the longest total hold
        (HoldNotExtendable there; HoldExpired once expired). Not retried: a repeat would extend it twice."""
        data = await self._execute("ExtendHold", {"id": booking_id}, retry=False)
        return Booking.from_graphql(data["extendHold"])

    async def get_booking(self, booking_id: str) -> Booking | None:
        data = await self._execute("GetBooking", {"id": booking_id}, retry=True)
        return None if data["getBooking"] is None else Booking.from_graphql(data["getBooking"])

    async def list_bookings_page(
        self,
        status: BookingStatus | None = None,
        *,
        customer: str | None = None,
        limit: int | None = None,
        next_token: str | None = None,
    ) -> BookingConnection:
        """One page of the caller's bookings (another customer's for Admins and IAM), newest first."""
        booking_filter: dict[str, Any] = {}
        if status is not None:
            booking_filter["status"] = BookingStatus(status).value
        if customer is not None:
            booking_filter["customer"] = customer
        variables = {"filter": booking_filter or None, "limit": limit, "nextToken": next_token}
        data = await self._execute("ListBookings", variables, retry=True)
        return BookingConnection.from_graphql(data["listBookings"])

    async def list_bookings(
        self, status: BookingStatus | None = None, *, customer: str | None = None, page_size: int = 20
    ) -> AsyncIterator[Booking]:
        """Every booking of the caller (or of `customer`), newest first, following nextToken."""
        next_token: str | None = None
        while True:
            page = await self.list_bookings_page(status, customer=customer, limit=page_size, next_token=next_token)
            for booking in page.items:
                yield booking
            if not page.next_token:
                return
            next_token = page.next_token

    async def cancel_booking(self, booking_id: str) -> Booking:
        """Cancel a CONFIRMED booking (refunded) or a HELD one (nothing to refund). Not retried by the client: call
        it again yourself if you must."""
        data = await self._execute("CancelBooking", {"id": booking_id}, retry=False)
        return Booking.from_graphql(data["cancelBooking"])

    async def check_in(self, booking_id: str) -> Booking:
        """Check in every passenger of a CONFIRMED booking (24 h until 1 h before departure): each passenger gets
        a seat and a boarding pass with its BCBP barcode. Safe to retry: checking in again answers the same seats."""
        data = await self._execute("CheckIn", {"bookingId": booking_id}, retry=True)
        return Booking.from_graphql(data["checkIn"])

    async def get_loyalty(self, customer: str | None = None) -> Loyalty:
        """The caller's points and level (another customer's for Admins and IAM)."""
        data = await self._execute("GetLoyalty", {"customer": customer}, retry=True)
        return Loyalty.from_graphql(data["getLoyalty"])

    # -- live updates --------------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _subscription(self, operation: str, variables: dict[str, Any]) -> AsyncIterator[AsyncIterator[Any]]:
        """A subscription on its own WebSocket, connected (and acknowledged) on entry; yields its results."""
        client = Client(transport=subscription_transport(self.endpoint))
        request = GraphQLRequest(document(operation), variable_values=variables, operation_name=operation)
        try:
            session = await client.connect_async()
        except (TransportQueryError, *_TRANSPORT_ERRORS) as error:
            raise _failure(error) from error

        async def results() -> AsyncGenerator[Any, None]:
            try:
                async with contextlib.aclosing(session.subscribe(request)) as stream:
                    async for result in stream:
                        yield result
            except (TransportQueryError, *_TRANSPORT_ERRORS) as error:
                raise _failure(error) from error

        stream = results()
        try:
            yield stream
        finally:
            # Closed from the inside out: gql sends `complete` for the subscription, then closes the socket
            # (which may be gone already; then nothing is left to close).
            with contextlib.suppress(AirlineError, *_TRANSPORT_ERRORS):
                await stream.aclose()
            with contextlib.suppress(*_TRANSPORT_ERRORS):
                await client.close_async()

    def _customer(self, customer: str | None) -> str:
        if customer is not None:
            return customer
        if isinstance(self.endpoint.auth, Token):
            return self.endpoint.auth.subject()
        raise ValueError("customer is needed unless the client signs in with a user token")

    async def subscribe_booking_status(
        self, customer: str | None = None, booking_id: str | None = None
    ) -> AsyncIterator[BookingStatusEvent]:
        """Status changes of a customer's bookings (the caller's own: by default the token's user), or of one."""
        variables = {"customer": self._customer(customer), "bookingId": booking_id}
        async with self._subscription("OnBookingStatusChanged", variables) as results:
            async for result in results:
                if result.get("onBookingStatusChanged") is not None:
                    yield BookingStatusEvent.from_graphql(result["onBookingStatusChanged"])

    async def subscribe_flight_delays(
        self,
        flight_id: str | None = None,
        departure_airport_code: str | None = None,
        *,
        flight_ids: Sequence[str] | None = None,
    ) -> AsyncIterator[FlightDelay]:
        """Delays of one flight or of up to five (`flight_ids`), of flights leaving one airport, of both, or all
        delays. The server filters them (AppSync's enhanced subscription filters)."""
        variables = {
            "flightIds": list(flight_ids) if flight_ids is not None else None,
            "flightId": flight_id,
            "departureAirportCode": departure_airport_code,
        }
        async with self._subscription("OnFlightDelayed", variables) as results:
            async for result in results:
                if result.get("onFlightDelayed") is not None:
                    yield FlightDelay.from_graphql(result["onFlightDelayed"])

    async def wait_for_booking(
        self, booking: str | Booking, timeout: float = 120.0, *, recheck: float = 5.0
    ) -> Booking:
        """The booking once it is CONFIRMED, FAILED, CANCELLED or EXPIRED (a HELD one: once paid and settled, or
        expired); BookingTimeout after `timeout` seconds.

        Subscribes to the booking's status first and then reads it, so a change in between is not missed; reads
        it again every `recheck` seconds of silence, and if the socket drops (or cannot open) polls with backoff
        instead, so the final state is never missed."""
        latest = booking if isinstance(booking, Booking) else await self._read_booking(booking)
        try:
            async with asyncio.timeout(timeout):
                if latest.status.is_final:
                    return latest
                try:
                    return await self._wait_subscribed(latest, recheck)
                except TransportFailure:
                    pass  # the socket dropped: polling still gets the outcome
                return await self._poll_booking(latest.id)
        except TimeoutError:
            raise BookingTimeout(
                f"booking {latest.id} was not final after {timeout} s (last seen {latest.status})", latest
            ) from None

    async def _read_booking(self, booking_id: str) -> Booking:
        booking = await self.get_booking(booking_id)
        if booking is None:
            raise api_error({"errorType": "NotFound", "message": f"No booking {booking_id}"})
        return booking

    async def _wait_subscribed(self, booking: Booking, recheck: float) -> Booking:
        variables = {"customer": booking.customer, "bookingId": booking.id}
        async with self._subscription("OnBookingStatusChanged", variables) as results:
            next_event = asyncio.ensure_future(_next(results))
            try:
                await asyncio.sleep(0)  # let the subscribe message go out before the catch-up read
                while True:
                    latest = await self._read_booking(booking.id)
                    if latest.status.is_final:
                        return latest
                    # Until an event arrives, or `recheck` seconds pass; then read the booking again.
                    done, _ = await asyncio.wait({next_event}, timeout=recheck)
                    if next_event in done:
                        next_event.result()  # raises TransportFailure when the socket dropped
                        next_event = asyncio.ensure_future(_next(results))
            finally:
                next_event.cancel()
                await asyncio.gather(next_event, return_exceptions=True)

    async def _poll_booking(self, booking_id: str) -> Booking:
        delay = self.backoff.initial
        while True:
            try:
                latest = await self._read_booking(booking_id)
                if latest.status.is_final:
                    return latest
            except TransportFailure:
                pass  # the outcome is still to be read; keep trying until the deadline
            await asyncio.sleep(delay)
            delay = min(self.backoff.maximum, delay * 2)
