"""Bookings in the table: by id, and a customer's bookings newest first, all or by status."""

from __future__ import annotations

from resolvers.domain.models import Booking, BookingStatus, Page
from resolvers.store import keys, pagination
from resolvers.store.models import BookingItem, TableItem
from resolvers.store.table import ensure_bound

_BY_CUSTOMER_KEYS = ("PK", "SK", "GSI1PK", "GSI1SK")
_BY_STATUS_KEYS = ("PK", "SK", "GSI2PK", "GSI2SK")


def _to_booking(item: BookingItem) -> Booking:
    return Booking(
        id=item.booking_id,
        booking_reference=item.booking_reference,
        status=BookingStatus(item.status),
        status_reason=item.status_reason,
        customer=item.customer,
        outbound_flight_id=item.outbound_flight_id,
        checked_in=bool(item.checked_in),
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def _to_item(booking: Booking) -> BookingItem:
    pk, sk = keys.booking(booking.id)
    return BookingItem(
        pk,
        sk,
        gsi1pk=keys.customer(booking.customer),
        gsi1sk=keys.customer_booking(booking.id),
        gsi2pk=keys.customer_status(booking.customer, booking.status),
        gsi2sk=keys.customer_booking(booking.id),
        booking_id=booking.id,
        booking_reference=booking.booking_reference,
        status=str(booking.status),
        status_reason=booking.status_reason,
        customer=booking.customer,
        outbound_flight_id=booking.outbound_flight_id,
        checked_in=booking.checked_in,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
    )


def get_booking(booking_id: str) -> Booking | None:
    ensure_bound()
    pk, sk = keys.booking(booking_id)
    try:
        return _to_booking(BookingItem.get(pk, sk))
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
    return Page(items=[_to_booking(item) for item in items if isinstance(item, BookingItem)], next_token=next_token)
