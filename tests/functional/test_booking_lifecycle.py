"""The booking lifecycle as the store enforces it: every (from, to) pair of statuses tried on DynamoDB Local, allowed
exactly where BOOKING_TRANSITIONS says, in one conditional write."""

from __future__ import annotations

import itertools

import pytest

from resolvers.domain.models import BOOKING_TRANSITIONS, BookingStatus
from resolvers.store import bookings as booking_store
from tests.factories import a_booking, a_customer

pytestmark = pytest.mark.dynamodb

TARGETS = tuple(BOOKING_TRANSITIONS)


@pytest.mark.parametrize(("start", "to"), list(itertools.product(BookingStatus, TARGETS)))
def test_a_status_change_happens_only_where_the_lifecycle_allows_it(dynamodb, start, to):
    booking = a_booking(a_customer(), "F1", status=start)
    booking_store.put_booking(booking)

    if start in BOOKING_TRANSITIONS[to]:
        assert booking_store.change_status(booking, to).status is to
    else:
        with pytest.raises(booking_store.StatusConflict) as refused:
            booking_store.change_status(booking, to)
        # Nothing was written: the booking is as it was, and the refusal carries it
        assert refused.value.current is not None
        assert refused.value.current.status is start
    assert booking_store.get_booking(booking.id).status is (to if start in BOOKING_TRANSITIONS[to] else start)


def test_only_a_hold_being_paid_leads_to_pending_and_the_ends_are_final():
    # PENDING is written by initBooking's create, and reached only from HELD (payBooking); HELD only by a create
    assert BOOKING_TRANSITIONS[BookingStatus.PENDING] == {BookingStatus.HELD}
    assert BookingStatus.HELD not in BOOKING_TRANSITIONS
    for final in (BookingStatus.CANCELLED, BookingStatus.EXPIRED, BookingStatus.FAILED):
        assert all(final not in sources for sources in BOOKING_TRANSITIONS.values())
