"""A table DynamoDB Local kept from before an index was declared gets the index when the server starts."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from resolvers import config
from resolvers.domain.models import BookingStatus
from resolvers.store import bookings as booking_store
from resolvers.store import table
from resolvers.store.models import TableItem
from tests.factories import a_booking, a_customer

pytestmark = pytest.mark.dynamodb


def _string(name: str) -> dict[str, str]:
    return {"AttributeName": name, "AttributeType": "S"}


def _index(name: str) -> dict:
    return {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": f"{name}PK", "KeyType": "HASH"},
            {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def test_a_table_made_before_the_status_index_gets_it_and_bookings_are_found_by_status(dynamodb):
    settings = config.get_settings()
    legacy = replace(settings, table_name=f"legacy-{uuid.uuid4().hex[:8]}")
    table.bind(legacy)
    try:
        # Given a table as an earlier version made it: GSI1 and GSI2 only
        table.connection().client.create_table(
            TableName=legacy.table_name,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[_string(n) for n in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK")],
            GlobalSecondaryIndexes=[_index("GSI1"), _index("GSI2")],
            BillingMode="PAY_PER_REQUEST",
        )

        # When the server starts on it
        created = table.create_table_if_missing()

        # Then the table is kept, the missing index added, and bookings are found by status
        assert created is False
        names = {index["IndexName"] for index in TableItem.describe_table()["GlobalSecondaryIndexes"]}
        assert names == {"GSI1", "GSI2", "GSI3"}
        assert table.add_missing_indexes() == []
        booking = a_booking(a_customer(), "f-1", BookingStatus.PENDING)
        booking_store.put_booking(booking)
        found = booking_store.bookings_changed(BookingStatus.PENDING, datetime.now(UTC) + timedelta(seconds=2))
        assert [b.id for b in found] == [booking.id]
    finally:
        table.bind(settings)
