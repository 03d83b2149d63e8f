// What each booking status means to a customer.
import type { BookingStatus } from './generated/graphql'

export const STATUS_LABELS: Record<BookingStatus, string> = {
  HELD: 'Held',
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
}

export function statusSentence(reference: string, status: BookingStatus, reason: string | null): string {
  switch (status) {
    case 'HELD':
      return `Booking ${reference} is held: pay before the hold ends to keep the seats.`
    case 'EXPIRED':
      return `Booking ${reference} expired unpaid: its seats went back, nothing was charged.`
    case 'PENDING':
      return `Booking ${reference} is pending: we are taking the payment.`
    case 'CONFIRMED':
      return `Booking ${reference} is confirmed. Have a good flight!`
    case 'FAILED':
      return `Booking ${reference} failed: ${reason ?? 'no reason given'}.`.replace('..', '.')
    case 'CANCELLED':
      return `Booking ${reference} is cancelled${reason ? `: ${reason}` : ''}.`
  }
}

/** A UUID for an idempotency key (crypto.randomUUID where the page is a secure context). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[6] = (bytes[6]! & 0x0f) | 0x40
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
