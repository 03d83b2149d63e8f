// Live updates while signed in: the customer's booking statuses and delays of the customer's flights.
import { reactive } from 'vue'
import { request, subscribe, type Subscription } from './api'
import { announce } from './announce'
import { describeError } from './errors'
import { formatTime } from './format'
import type {
  BookingStatus,
  ListBookingsQuery,
  ListBookingsQueryVariables,
  OnBookingStatusChangedSubscription,
  OnBookingStatusChangedSubscriptionVariables,
  OnFlightDelayedSubscription,
  OnFlightDelayedSubscriptionVariables,
} from './generated/graphql'
import { listBookings, onBookingStatusChanged, onFlightDelayed } from './graphql/operations'
import { mayReplace } from './status'

export interface LiveStatus {
  status: BookingStatus
  statusReason: string | null
  bookingReference: string
}

export interface DelayBanner {
  id: string
  text: string
}

export const live = reactive({
  statuses: {} as Record<string, LiveStatus>,
  banners: [] as DelayBanner[],
  flightIds: new Set<string>(),
  error: '',
})

let subscriptions: Subscription[] = []
let bookingStatusReady: Promise<void> = Promise.resolve()

/** Subscribes to the customer's booking statuses and to flight delays; loads the flights the customer holds. */
export function startLive(customer: string): void {
  stopLive()
  const bookings = subscribe<OnBookingStatusChangedSubscription, OnBookingStatusChangedSubscriptionVariables>(
    onBookingStatusChanged,
    { customer },
    ({ onBookingStatusChanged: event }) => {
      if (!event) return
      setStatus(event.bookingId, event)
    },
    (error) => (live.error = `Live booking updates stopped: ${describeError(error)}`),
  )
  const delays = subscribe<OnFlightDelayedSubscription, OnFlightDelayedSubscriptionVariables>(
    onFlightDelayed,
    {},
    ({ onFlightDelayed: delay }) => {
      if (!delay || !live.flightIds.has(delay.flightId)) return
      const text =
        `Flight ${delay.flightNumber} ${delay.departureAirportCode} → ${delay.arrivalAirportCode} is delayed by ` +
        `${delay.delayMinutes} minutes (${delay.reason}); it now departs at ${formatTime(delay.departureDateTime)} UTC.`
      live.banners.push({ id: `${delay.flightId}-${delay.occurredAt}`, text })
      announce(text)
    },
    (error) => (live.error = `Live delay updates stopped: ${describeError(error)}`),
  )
  subscriptions = [bookings, delays]
  bookingStatusReady = bookings.ready
  void loadMyFlights()
}

export function stopLive(): void {
  subscriptions.forEach((s) => s.unsubscribe())
  subscriptions = []
  live.statuses = {}
  live.banners = []
  live.flightIds = new Set()
  live.error = ''
}

/** Resolves once the booking-status subscription is acknowledged: subscribe first, then book, then catch up. */
export function whenBookingStatusLive(): Promise<void> {
  return bookingStatusReady
}

export function setStatus(bookingId: string, status: LiveStatus): void {
  // Never a step back: a late catch-up read must not undo a pushed CONFIRMED; paying moves HELD on to PENDING.
  if (!mayReplace(live.statuses[bookingId]?.status, status.status)) return
  live.statuses[bookingId] = {
    status: status.status,
    statusReason: status.statusReason,
    bookingReference: status.bookingReference,
  }
}

export function holdFlight(flightId: string): void {
  live.flightIds.add(flightId)
}

export function dismissBanner(id: string): void {
  live.banners = live.banners.filter((b) => b.id !== id)
}

async function loadMyFlights(): Promise<void> {
  try {
    const data = await request<ListBookingsQuery, ListBookingsQueryVariables>(listBookings, { limit: 100 })
    for (const booking of data.listBookings.items) {
      if (['CONFIRMED', 'PENDING', 'HELD'].includes(booking.status)) live.flightIds.add(booking.outboundFlight.id)
    }
  } catch (error) {
    live.error = describeError(error)
  }
}
