"""Input parsing: each bad value is a ValidationError naming its field."""

from __future__ import annotations

import pytest

from resolvers.domain.errors import ValidationError
from resolvers.domain.inputs import BookingSearch, FlightSearch, PageRequest, aws_date_time, entity_id


def test_page_defaults_to_20_and_accepts_1_to_100():
    assert PageRequest.parse().limit == 20
    assert PageRequest.parse(1).limit == 1
    assert PageRequest.parse(100).limit == 100


@pytest.mark.parametrize("token", ["", 5, "x" * 3000])
def test_a_malformed_token_is_refused(token):
    with pytest.raises(ValidationError) as raised:
        PageRequest.parse(None, token)
    assert raised.value.field == "nextToken"


def test_flight_search_requires_both_airports():
    with pytest.raises(ValidationError) as raised:
        FlightSearch.parse({"departureAirportCode": "LGW"})
    assert raised.value.field == "filter.arrivalAirportCode"


def test_booking_search_accepts_nothing():
    assert BookingSearch.parse(None) == BookingSearch(status=None, customer=None)


def test_date_times_are_normalised_to_utc():
    assert aws_date_time("2026-05-01T10:00:00+02:00", "f").isoformat() == "2026-05-01T08:00:00+00:00"


@pytest.mark.parametrize("value", ["", "abc", "01JDZQ8Y3J6W8T5V1N2M3K4P5", None, 7])
def test_ids_must_be_ulids(value):
    with pytest.raises(ValidationError):
        entity_id(value, "id")
