"""Bookings in the table: reads, idempotent creation with a unique reference, and status changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from resolvers.domain.errors import Conflict, SeatsUnavailable
from resolvers.domain.models import BOOKING_TRANSITIONS, BoardingPass, Booking, BookingStatus, Page, Passenger
from resolvers.store import keys
from resolvers.store.models import (
    BoardingPassAttribute,
    BookingItem,
    FlightItem,
    IdempotencyItem,
    PassengerAttribute,
    ReferenceItem,
    TableItem,
)
from resolvers.store.table import ensure_bound
from resolvers.store.transactions import ConditionFailed, transact_write

_BY_CUSTOMER_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")
_BY_STATUS_KEYS = ("PK", "SK", "GSI2PK", "GSI2SK")


# A flight's ticket price and currency, by flight id.
_Prices = dict[str, tuple[int, str]]


def _legacy_prices(items: list[BookingItem]) -> _Prices:
    """Bookings stored before passengers were named carry no price: they took one seat at their flight's ticket
    price (which never changes), read here in one BatchGetItem. New bookings need no read."""
    flight_ids = list(dict.fromkeys(item.outbound_flight_id for item in items if item.total_price is None))
    if not flight_ids:
        return {}
    found = FlightItem.batch_get([keys.flight(flight_id) for flight_id in flight_ids])
    return {flight.flight_id: (int(flight.ticket_price), flight.ticket_currency) for flight in found}


def _to_passenger(attribute: PassengerAttribute) -> Passenger:
    issued = attribute.boarding_pass
    return Passenger(
        first_name=attribute.first_name,
        last_name=attribute.last_name,
        seat=attribute.seat,
        boarding_pass=None
        if issued is None
        else BoardingPass(
            passenger_name=issued.passenger_name,
            flight_number=issued.flight_number,
            seat=issued.seat,
            boarding_group=issued.boarding_group,
            sequence_number=int(issued.sequence_number),
            barcode=issued.barcode,
        ),
    )


def passenger_attribute(passenger: Passenger) -> PassengerAttribute:
    issued = passenger.boarding_pass
    return PassengerAttribute(
        first_name=passenger.first_name,
        last_name=passenger.last_name,
        seat=passenger.seat,
        boarding_pass=None
        if issued is None
        else BoardingPassAttribute(
            passenger_name=issued.passenger_name,
            flight_number=issued.flight_number,
            seat=issued.seat,
            boarding_group=issued.boarding_group,
            sequence_number=issued.sequence_number,
            barcode=issued.barcode,
        ),
    )


def to_booking(item: BookingItem, prices: _Prices | None = None) -> Booking:
    if item.total_price is None:
        total_price, currency = (prices if prices is not None else _legacy_prices([item])).get(
            item.outbound_flight_id, (0, "")
        )
    else:
        total_price, currency = int(item.total_price), item.currency or ""
    return Booking(
        id=item.booking_id,
        booking_reference=item.booking_reference,
        status=BookingStatus(item.status),
        status_reason=item.status_reason,
        customer=item.customer,
        outbound_flight_id=item.outbound_flight_id,
        passengers=tuple(_to_passenger(passenger) for passenger in item.passengers or []),
        total_price=total_price,
        currency=currency,
        checked_in=bool(item.checked_in),
        created_at=item.created_at,
        updated_at=item.updated_at,
        hold_expires_at=item.hold_expires_at,
    )


def _to_bookings(items: list[BookingItem]) -> list[Booking]:
    prices = _legacy_prices(items)
    return [to_booking(item, prices) for item in items]


def _to_item(booking: Booking) -> BookingItem:
    pk, sk = keys.booking(booking.id)
    return BookingItem(
        pk,
        sk,
        gsi1pk=keys.customer(booking.customer),
        gsi1sk=keys.customer_booking(booking.id),
        gsi2pk=keys.customer_status(booking.customer, booking.status),
        gsi2sk=keys.customer_booking(booking.id),
        gsi3pk=keys.status(booking.status),
        gsi3sk=keys.status_change(booking.updated_at, booking.id),
        booking_id=booking.id,
        booking_reference=booking.booking_reference,
        status=str(booking.status),
        status_reason=booking.status_reason,
        customer=booking.customer,
        outbound_flight_id=booking.outbound_flight_id,
        passengers=[passenger_attribute(passenger) for passenger in booking.passengers],
        total_price=booking.total_price,
        currency=booking.currency,
        checked_in=booking.checked_in,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        hold_expires_at=booking.hold_expires_at,
    )


def get_booking(booking_id: str) -> Booking | None:
    ensure_bound()
    pk, sk = keys.booking(booking_id)
    try:
        return to_booking(BookingItem.get(pk, sk))
    except BookingItem.DoesNotExist:
        return None


def put_booking(booking: Booking) -> None:
    """Create a booking; an existing id is never overwritten."""
    ensure_bound()
    _to_item(booking).save(condition=TableItem.pk.does_not_exist())


def list_customer_bookings(customer: str, status: BookingStatus | None, limit: int, token: str | None) -> Page[Booking]:
    """A customer's bookings, newest first (ids are ULIDs), optionally of one status. One Query."""
    ensure_bound()
    if status is None:
        query, hash_key, key_attributes = TableItem.gsi1.query, keys.customer(customer), _BY_CUSTOMER_KEYS
    else:
        query, hash_key = TableItem.gsi2.query, keys.customer_status(customer, status)
        key_attributes = _BY_STATUS_KEYS
    # Loaded by the first page read: the saga tasks and the reconciler read no pages.
    from resolvers.store import pagination

    items, next_token = pagination.read_page(
        query,
        hash_key,
        key_attributes=key_attributes,
        limit=limit,
        token=token,
        scope=f"listBookings:{hash_key}",
        range_key_condition=TableItem.gsi1sk.startswith(keys.BOOKING)
        if status is None
        else TableItem.gsi2sk.startswith(keys.BOOKING),
        scan_index_forward=False,
    )
    return Page(items=_to_bookings([item for item in items if isinstance(item, BookingItem)]), next_token=next_token)


class DuplicateRequest(Exception):
    """The customer's idempotency key was used before: for `booking_id`, by a request hashing to `request_hash`."""

    def __init__(self, booking_id: str, request_hash: str) -> None:
        super().__init__(booking_id)
        self.booking_id = booking_id
        self.request_hash = request_hash


class ReferenceTaken(Exception):
    """Another booking holds this booking reference."""


class StatusConflict(Exception):
    """The booking is not in a status the change starts from; `current` is what it is now (None if missing)."""

    def __init__(self, current: Booking | None) -> None:
        super().__init__(current.status if current else "missing")
        self.current = current


_RACE_RETRIES = 8


def find_idempotent(customer: str, key: str) -> tuple[str, str] | None:
    """(booking id, request hash) recorded for a customer's idempotency key, or None."""
    ensure_bound()
    pk, sk = keys.idempotency(customer, key)
    try:
        item = IdempotencyItem.get(pk, sk, consistent_read=True)
    except IdempotencyItem.DoesNotExist:
        return None
    return item.booking_id, item.request_hash


def create_booking(booking: Booking, idempotency_key: str, request_hash: str, expires_at: datetime) -> None:
    """Write a new booking, its idempotency record and its reference in one transaction; a HELD booking takes its
    seats in the same transaction (its seat hold, and the flight's counter down while that many are left).

    Raises DuplicateRequest if the key was used before (concurrent twins included: exactly one transaction
    wins), ReferenceTaken if the reference belongs to another booking, SeatsUnavailable if a hold finds fewer
    seats left than it asks for.
    """
    ensure_bound()
    idem_pk, idem_sk = keys.idempotency(booking.customer, idempotency_key)
    ref_pk, ref_sk = keys.reference(booking.booking_reference)
    record = IdempotencyItem(idem_pk, idem_sk, booking_id=booking.id, request_hash=request_hash, expires_at=expires_at)
    reference = ReferenceItem(ref_pk, ref_sk, booking_id=booking.id)
    held = booking.status is BookingStatus.HELD

    from resolvers.store.flights import take_seats  # a write's: kept off the cold start of reads

    def build(transaction: TransactWrite) -> None:
        transaction.save(record, condition=TableItem.pk.does_not_exist())
        transaction.save(_to_item(booking), condition=TableItem.pk.does_not_exist())
        transaction.save(reference, condition=TableItem.pk.does_not_exist())
        if held:
            take_seats(transaction, booking.outbound_flight_id, booking.id, booking.seats, booking.created_at)

    for _ in range(_RACE_RETRIES):
        try:
            transact_write(build, what="Writing the booking")
            return
        except ConditionFailed as failed:
            if failed.at(2) and not failed.at(0):
                raise ReferenceTaken(booking.booking_reference) from failed
            if held and failed.at(4) and not failed.at(0):
                raise SeatsUnavailable(
                    f"Flight {booking.outbound_flight_id} has fewer than {booking.seats} seat(s) left"
                ) from failed
            if not failed.at(0):
                raise
            found = find_idempotent(booking.customer, idempotency_key)
            if found is not None:
                raise DuplicateRequest(*found) from failed
            # The record went away between the write and the read (it expired): write again.
    raise Conflict("The booking could not be written: too much contention, try again")


def change_status(booking: Booking, to: BookingStatus, reason: str | None = None) -> Booking:
    """Move a booking to `to` if the lifecycle allows it from its status now (BOOKING_TRANSITIONS); raises
    StatusConflict otherwise."""
    return set_status(booking.id, booking.customer, to, reason)


def set_status(
    booking_id: str,
    customer: str,
    to: BookingStatus,
    reason: str | None = None,
    *,
    also: list[Any] | None = None,
    only_if: Any = None,
) -> Booking:
    """change_status by id and customer, without having read the booking: one conditional UpdateItem, whose answer
    (every attribute, as written) is the booking returned. Raises StatusConflict (after one read) otherwise.

    `also`: more update actions in the same write; `only_if`: a further condition the booking must meet."""
    allowed_from = BOOKING_TRANSITIONS[to]
    now = datetime.now(UTC)
    actions: list[Any] = [
        BookingItem.status.set(str(to)),
        BookingItem.gsi2pk.set(keys.customer_status(customer, to)),
        BookingItem.gsi3pk.set(keys.status(to)),
        BookingItem.gsi3sk.set(keys.status_change(now, booking_id)),
        BookingItem.updated_at.set(now),
        *(also or []),
    ]
    actions.append(BookingItem.status_reason.set(reason) if reason else BookingItem.status_reason.remove())
    condition = BookingItem.status.is_in(*(str(status) for status in allowed_from))
    return _update(booking_id, actions, condition if only_if is None else condition & only_if)


def _update(booking_id: str, actions: list[Any], condition: Any) -> Booking:
    ensure_bound()
    pk, sk = keys.booking(booking_id)
    item = BookingItem(pk, sk)
    try:
        item.update(actions=actions, condition=TableItem.pk.exists() & condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise StatusConflict(get_booking(booking_id)) from exc
        raise
    return to_booking(item)


def start_payment(booking: Booking, payment_key: str, request_hash: str, now: datetime) -> Booking:
    """HELD to PENDING for payBooking, recording its idempotency key and request, only while the hold has not
    expired (`now` before holdExpiresAt): one conditional write, so an expiry and a payment never both win."""
    return set_status(
        booking.id,
        booking.customer,
        BookingStatus.PENDING,
        also=[BookingItem.payment_key.set(payment_key), BookingItem.payment_request_hash.set(request_hash)],
        only_if=BookingItem.hold_expires_at > now,
    )


def payment_request(booking_id: str) -> tuple[str, str] | None:
    """(idempotency key, request hash) of the payBooking that paid this booking, or None."""
    ensure_bound()
    pk, sk = keys.booking(booking_id)
    try:
        item = BookingItem.get(pk, sk, consistent_read=True)
    except BookingItem.DoesNotExist:
        return None
    if item.payment_key is None or item.payment_request_hash is None:
        return None
    return item.payment_key, item.payment_request_hash


def extend_hold(booking: Booking, until: datetime, now: datetime) -> Booking:
    """Move a HELD booking's holdExpiresAt from what was read to `until`, only while it is still HELD, unexpired and
    unchanged since (an extension racing another, or the expiry, loses: StatusConflict)."""
    assert booking.hold_expires_at is not None
    return _update(
        booking.id,
        [BookingItem.hold_expires_at.set(until), BookingItem.updated_at.set(now)],
        (BookingItem.status == str(BookingStatus.HELD))
        & (BookingItem.hold_expires_at == booking.hold_expires_at)
        & (BookingItem.hold_expires_at > now),
    )


def expire_hold(booking: Booking, now: datetime) -> Booking:
    """HELD to EXPIRED, only once holdExpiresAt (as read, so not extended since) has passed."""
    assert booking.hold_expires_at is not None
    return set_status(
        booking.id,
        booking.customer,
        BookingStatus.EXPIRED,
        "The hold expired before it was paid",
        only_if=(BookingItem.hold_expires_at == booking.hold_expires_at) & (BookingItem.hold_expires_at <= now),
    )


def bookings_changed(
    status: BookingStatus, before: datetime, since: datetime | None = None, limit: int | None = None
) -> list[Booking]:
    """Bookings in `status` whose last change was before `before` (and at or after `since`), oldest first: Query
    pages of GSI3 (the reconciler's reads; never a Scan)."""
    ensure_bound()
    upper = TableItem.gsi3sk < keys.iso(before)
    condition = TableItem.gsi3sk.between(keys.iso(since), keys.iso(before)) if since is not None else upper
    # A key sorts after its second's bare ISO text ("…Z#<id>" > "…Z"): both bounds select by whole seconds.
    found = TableItem.gsi3.query(keys.status(status), condition, limit=limit)
    # One BatchGetItem for the prices of any bookings from before passengers were named, not one per booking.
    return _to_bookings([item for item in found if isinstance(item, BookingItem)])


def get_bookings(booking_ids: list[str]) -> list[Booking]:
    """The bookings that exist among `booking_ids`: BatchGetItem, 100 keys a call."""
    ensure_bound()
    if not booking_ids:
        return []
    return _to_bookings(list(BookingItem.batch_get([keys.booking(b) for b in dict.fromkeys(booking_ids)])))
