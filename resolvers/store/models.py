"""The single table's PynamoDB models: one table, entity types told apart by a discriminator."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from resolvers.config import DEFAULT_REGION, DEFAULT_TABLE_NAME


class Gsi1(GlobalSecondaryIndex["TableItem"]):
    """Overloaded: flights by route and departure time; bookings by customer, newest first."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class Gsi2(GlobalSecondaryIndex["TableItem"]):
    """Bookings by customer and status, newest first."""

    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class Gsi3(GlobalSecondaryIndex["TableItem"]):
    """Bookings by status and last change, oldest first: what the reconciler settles (PENDING for too long) and
    checks (CONFIRMED lately, credited with their points)."""

    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(range_key=True, attr_name="GSI3SK")


class TableItem(Model):
    class Meta:
        table_name = DEFAULT_TABLE_NAME
        region = DEFAULT_REGION
        billing_mode = "PAY_PER_REQUEST"

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    entity = DiscriminatorAttribute(attr_name="type")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    gsi3pk = UnicodeAttribute(null=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(null=True, attr_name="GSI3SK")
    # DynamoDB deletes an item some time after this instant (idempotency records).
    expires_at = TTLAttribute(null=True, attr_name="expiresAt")

    gsi1 = Gsi1()
    gsi2 = Gsi2()
    gsi3 = Gsi3()


class FlightItem(TableItem, discriminator="Flight"):
    flight_id = UnicodeAttribute(attr_name="id")
    flight_number = UnicodeAttribute(attr_name="flightNumber")
    departure_airport_code = UnicodeAttribute(attr_name="departureAirportCode")
    departure_airport_name = UnicodeAttribute(attr_name="departureAirportName")
    departure_city = UnicodeAttribute(attr_name="departureCity")
    departure_date_time = UTCDateTimeAttribute(attr_name="departureDateTime")
    arrival_airport_code = UnicodeAttribute(attr_name="arrivalAirportCode")
    arrival_airport_name = UnicodeAttribute(attr_name="arrivalAirportName")
    arrival_city = UnicodeAttribute(attr_name="arrivalCity")
    arrival_date_time = UTCDateTimeAttribute(attr_name="arrivalDateTime")
    ticket_price = NumberAttribute(attr_name="ticketPrice")
    ticket_currency = UnicodeAttribute(attr_name="ticketCurrency")
    seat_capacity = NumberAttribute(attr_name="seatCapacity")
    seats_available = NumberAttribute(attr_name="seatsAvailable")
    status = UnicodeAttribute(attr_name="status")
    delay_minutes = NumberAttribute(attr_name="delayMinutes", default=0)
    # Passengers checked in so far: each check-in adds its passengers and takes the sequence numbers before it.
    check_in_count = NumberAttribute(null=True, attr_name="checkInCount")


class SeatHoldItem(TableItem, discriminator="SeatHold"):
    """One per booking holding seats: makes reserve and release idempotent per booking."""

    booking_id = UnicodeAttribute(attr_name="bookingId")
    # How many seats the booking took; absent on holds from before multi-passenger bookings (one seat).
    seats = NumberAttribute(null=True, attr_name="seats")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")


class SeatAssignmentItem(TableItem, discriminator="SeatAssignment"):
    """A seat of the flight's seat map given at check-in: put only where none exists, so no seat is given twice."""

    booking_id = UnicodeAttribute(attr_name="bookingId")
    # Which of the booking's passengers sits there (0-based), and their check-in sequence number.
    passenger = NumberAttribute(attr_name="passenger")
    sequence_number = NumberAttribute(null=True, attr_name="sequenceNumber")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")


class PassengerSeatItem(TableItem, discriminator="PassengerSeat"):
    """The seat a booking's passenger was given: written with the seat's assignment, only where none exists."""

    seat = UnicodeAttribute(attr_name="seat")
    sequence_number = NumberAttribute(attr_name="sequenceNumber")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")


class BoardingPassAttribute(MapAttribute[str, str]):
    passenger_name = UnicodeAttribute(attr_name="passengerName")
    flight_number = UnicodeAttribute(attr_name="flightNumber")
    seat = UnicodeAttribute(attr_name="seat")
    boarding_group = UnicodeAttribute(attr_name="boardingGroup")
    sequence_number = NumberAttribute(attr_name="sequenceNumber")
    barcode = UnicodeAttribute(attr_name="barcode")


class PassengerAttribute(MapAttribute[str, str]):
    first_name = UnicodeAttribute(attr_name="firstName")
    last_name = UnicodeAttribute(attr_name="lastName")
    seat = UnicodeAttribute(null=True, attr_name="seat")
    boarding_pass = BoardingPassAttribute(null=True, attr_name="boardingPass")


class BookingItem(TableItem, discriminator="Booking"):
    booking_id = UnicodeAttribute(attr_name="id")
    booking_reference = UnicodeAttribute(attr_name="bookingReference")
    status = UnicodeAttribute(attr_name="status")
    status_reason = UnicodeAttribute(null=True, attr_name="statusReason")
    customer = UnicodeAttribute(attr_name="customer")
    outbound_flight_id = UnicodeAttribute(attr_name="outboundFlightId")
    # Absent on bookings stored before passengers were named (one seat, at the flight's ticket price).
    passengers = ListAttribute(of=PassengerAttribute, null=True, attr_name="passengers")
    total_price = NumberAttribute(null=True, attr_name="totalPrice")
    currency = UnicodeAttribute(null=True, attr_name="currency")
    checked_in = BooleanAttribute(attr_name="checkedIn", default=False)
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")
    # Holds only: until when the seats are kept unpaid; then payBooking's idempotency key and a hash of its request.
    hold_expires_at = UTCDateTimeAttribute(null=True, attr_name="holdExpiresAt")
    payment_key = UnicodeAttribute(null=True, attr_name="paymentKey")
    payment_request_hash = UnicodeAttribute(null=True, attr_name="paymentRequestHash")


class IdempotencyItem(TableItem, discriminator="Idempotency"):
    """A customer's idempotency key: which booking it made, and a hash of the request that made it."""

    booking_id = UnicodeAttribute(attr_name="bookingId")
    request_hash = UnicodeAttribute(attr_name="requestHash")


class ReferenceItem(TableItem, discriminator="Reference"):
    """Reserves a booking reference, so that no two bookings ever share one."""

    booking_id = UnicodeAttribute(attr_name="bookingId")


class PaymentItem(TableItem, discriminator="Payment"):
    """The sandbox payment provider's ledger: one payment per booking."""

    booking_id = UnicodeAttribute(attr_name="bookingId")
    status = UnicodeAttribute(attr_name="status")
    amount = NumberAttribute(attr_name="amount")
    currency = UnicodeAttribute(attr_name="currency")
    attempts = NumberAttribute(attr_name="attempts", default=0)
    updated_at = UTCDateTimeAttribute(attr_name="updatedAt")


class LoyaltySummaryItem(TableItem, discriminator="LoyaltySummary"):
    customer = UnicodeAttribute(attr_name="customer")
    points = NumberAttribute(attr_name="points", default=0)


class LoyaltyEntryItem(TableItem, discriminator="LoyaltyEntry"):
    """The ledger: one entry per booking, so the same booking never counts twice."""

    customer = UnicodeAttribute(attr_name="customer")
    booking_id = UnicodeAttribute(attr_name="bookingId")
    points = NumberAttribute(attr_name="points")
    reversed = BooleanAttribute(attr_name="reversed", default=False)
    created_at = UTCDateTimeAttribute(attr_name="createdAt")


MODELS: tuple[type[TableItem], ...] = (
    TableItem,
    FlightItem,
    SeatHoldItem,
    SeatAssignmentItem,
    PassengerSeatItem,
    BookingItem,
    IdempotencyItem,
    ReferenceItem,
    PaymentItem,
    LoyaltySummaryItem,
    LoyaltyEntryItem,
)
