"""Bookings, the read side: a customer reads their own; Admins and IAM read anyone's."""

from __future__ import annotations

from resolvers.domain.errors import Unauthorized
from resolvers.domain.identity import Caller
from resolvers.domain.inputs import BookingSearch, PageRequest
from resolvers.domain.models import Booking, Page
from resolvers.store import bookings as booking_store


def get_booking(caller: Caller, booking_id: str) -> Booking | None:
    booking = booking_store.get_booking(booking_id)
    if booking is None:
        return None
    if not caller.may_read_customer(booking.customer):
        raise Unauthorized("Not authorized to read this booking")
    return booking


def list_bookings(caller: Caller, search: BookingSearch, page: PageRequest) -> Page[Booking]:
    customer = caller.customer_to_act_for(search.customer)
    return booking_store.list_customer_bookings(customer, search.status, page.limit, page.next_token)
