"""Catalog handler: listFlights, getFlight, createFlight, delayFlight, and Booking.outboundFlight in batches."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.appsync import Router
from aws_lambda_powertools.utilities.data_classes import AppSyncResolverEvent

from resolvers.domain.inputs import FlightDelayRequest, FlightSearch, NewFlight, PageRequest, entity_id
from resolvers.handlers import wire
from resolvers.handlers.app import build_handler, current_caller
from resolvers.services import catalog

router = Router()


@router.resolver(type_name="Query", field_name="listFlights")
def handle_list_flights(filter: Any = None, limit: Any = None, nextToken: Any = None) -> dict[str, Any]:
    page = catalog.list_flights(FlightSearch.parse(filter), PageRequest.parse(limit, nextToken))
    return wire.connection(page)


@router.resolver(type_name="Query", field_name="getFlight")
def handle_get_flight(id: Any = None) -> dict[str, Any] | None:
    return wire.optional(catalog.get_flight(entity_id(id, "id")))


@router.resolver(type_name="Mutation", field_name="createFlight")
def handle_create_flight(input: Any = None) -> dict[str, Any]:
    new = NewFlight.parse(input)
    return wire.to_graphql(catalog.create_flight(current_caller(), new))


@router.resolver(type_name="Mutation", field_name="delayFlight")
def handle_delay_flight(input: Any = None) -> dict[str, Any]:
    request = FlightDelayRequest.parse(input)
    return wire.to_graphql(catalog.delay_flight(current_caller(), request))


@router.batch_resolver(type_name="Booking", field_name="outboundFlight", raise_on_error=True)
def handle_outbound_flights(event: list[AppSyncResolverEvent]) -> list[dict[str, Any] | None]:
    flights = catalog.get_flights([item.source["outboundFlightId"] for item in event])
    return [wire.optional(flight) for flight in flights]


handler = build_handler(router)
