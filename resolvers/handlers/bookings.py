"""Bookings handler: getBooking, listBookings, initBooking, cancelBooking, payBooking, extendHold, checkIn (owners;
Admins and IAM for anyone) and publishBookingStatus (IAM)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router

from resolvers.domain.inputs import (
    BookingSearch,
    NewBooking,
    PageRequest,
    booking_status_event,
    entity_id,
    idempotency_key,
    payment_token,
)
from resolvers.handlers import wire
from resolvers.handlers.app import build_handler, current_caller
from resolvers.services import bookings

router = Router()


@router.resolver(type_name="Query", field_name="getBooking")
def handle_get_booking(id: Any = None) -> dict[str, Any] | None:
    return wire.optional(bookings.get_booking(current_caller(), entity_id(id, "id")))


@router.resolver(type_name="Query", field_name="listBookings")
def handle_list_bookings(filter: Any = None, limit: Any = None, nextToken: Any = None) -> dict[str, Any]:
    page = bookings.list_bookings(current_caller(), BookingSearch.parse(filter), PageRequest.parse(limit, nextToken))
    return wire.connection(page)


@router.resolver(type_name="Mutation", field_name="initBooking")
def handle_init_booking(input: Any = None) -> dict[str, Any]:
    return wire.to_graphql(bookings.init_booking(current_caller(), NewBooking.parse(input)))


@router.resolver(type_name="Mutation", field_name="cancelBooking")
def handle_cancel_booking(id: Any = None) -> dict[str, Any]:
    return wire.to_graphql(bookings.cancel_booking(current_caller(), entity_id(id, "id")))


@router.resolver(type_name="Mutation", field_name="payBooking")
def handle_pay_booking(id: Any = None, paymentToken: Any = None, idempotencyKey: Any = None) -> dict[str, Any]:
    from resolvers.services import holds  # holds, check-in: loaded by their own fields, off every other cold start

    booking = holds.pay_booking(
        current_caller(),
        entity_id(id, "id"),
        payment_token(paymentToken, "paymentToken"),
        idempotency_key(idempotencyKey, "idempotencyKey"),
    )
    return wire.to_graphql(booking)


@router.resolver(type_name="Mutation", field_name="extendHold")
def handle_extend_hold(id: Any = None) -> dict[str, Any]:
    from resolvers.services import holds

    return wire.to_graphql(holds.extend_hold(current_caller(), entity_id(id, "id")))


@router.resolver(type_name="Mutation", field_name="checkIn")
def handle_check_in(bookingId: Any = None) -> dict[str, Any]:
    from resolvers.services import check_in

    return wire.to_graphql(check_in.check_in(current_caller(), entity_id(bookingId, "bookingId")))


@router.resolver(type_name="Mutation", field_name="publishBookingStatus")
def handle_publish_booking_status(input: Any = None) -> dict[str, Any]:
    return wire.to_graphql(bookings.publish_status(current_caller(), booking_status_event(input)))


handler = build_handler(router)
