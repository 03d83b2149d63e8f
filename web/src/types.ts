// Shapes the screens pass around, taken from the generated operation types.
import type { GetBookingQuery, ListBookingsQuery, ListFlightsQuery } from './generated/graphql'

export type FlightResult = ListFlightsQuery['listFlights']['items'][number]
export type BookingItem = ListBookingsQuery['listBookings']['items'][number]
export type BookingDetail = NonNullable<GetBookingQuery['getBooking']>
