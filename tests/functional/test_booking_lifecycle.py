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


def test_no_status_leads_back_to_pending():
    # PENDING is only ever written by initBooking's create, never reached by a change
    assert BookingStatus.PENDING not in BOOKING_TRANSITIONS
    assert all(BookingStatus.CANCELLED not in sources for sources in BOOKING_TRANSITIONS.values())
