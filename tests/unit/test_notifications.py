"""The AWS notifier: an IAM-signed publishBookingStatus call to AppSync."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from botocore.credentials import Credentials

from resolvers.domain.models import Booking, BookingStatus, Passenger
from resolvers.notifications import AppSyncNotifier

URL = "https://example1234567890.appsync-api.eu-west-1.amazonaws.com/graphql"
BOOKING = Booking(
    id="01JDZQ8Y3J6W8T5V1N2M3K4P5R",
    booking_reference="ABC234",
    status=BookingStatus.CONFIRMED,
    customer="7d8ca528-4931-4254-9273-ea5ee853f271",
    outbound_flight_id="01JDZQ8Y3J6W8T5V1N2M3K4P5S",
    passengers=(Passenger("Ada", "Lovelace"),),
    total_price=8900,
    currency="GBP",
    created_at=datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
    updated_at=datetime(2026, 11, 22, 10, 1, tzinfo=UTC),
)


def test_the_notifier_signs_a_publish_booking_status_call_with_sigv4():
    sent = []
    notifier = AppSyncNotifier(
        URL,
        "eu-west-1",
        credentials=Credentials("AKIDEXAMPLE", "secret", "session-token"),
        send=lambda request: sent.append(request) or b'{"data": {"publishBookingStatus": {}}}',
    )

    notifier.booking_status(BOOKING)

    (request,) = sent
    headers = {name.lower(): value for name, value in request.header_items()}
    assert request.full_url == URL
    assert request.get_method() == "POST"
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/eu-west-1/appsync/aws4_request" in headers["authorization"]
    assert headers["x-amz-security-token"] == "session-token"
    body = json.loads(request.data)
    assert "publishBookingStatus(input: $input)" in body["query"]
    assert body["variables"]["input"] == {
        "bookingId": BOOKING.id,
        "customer": BOOKING.customer,
        "status": "CONFIRMED",
        "bookingReference": "ABC234",
        "statusReason": None,
        "occurredAt": "2026-11-22T10:01:00.000Z",
    }


def test_an_error_answer_fails_the_notification_so_the_saga_retries_it():
    notifier = AppSyncNotifier(
        URL,
        "eu-west-1",
        credentials=Credentials("AKIDEXAMPLE", "secret"),
        send=lambda request: b'{"errors": [{"errorType": "Unauthorized"}]}',
    )

    with pytest.raises(RuntimeError, match="Unauthorized"):
        notifier.booking_status(BOOKING)
