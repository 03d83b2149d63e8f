// What each booking status means to a customer.
import { formatDate, formatTime } from './format'
import type { BookingStatus } from './generated/graphql'

export const STATUS_LABELS: Record<BookingStatus, string> = {
  HELD: 'Held',
  PENDING: 'Pending',
  CONFIRMED: 'Confirmed',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
  EXPIRED: 'Expired',
}

// How far along a booking is: HELD (unpaid) → PENDING (paying) → an outcome. A booking never moves back.
const STAGE: Record<BookingStatus, number> = {
  HELD: 0,
  PENDING: 1,
  CONFIRMED: 2,
  FAILED: 2,
  CANCELLED: 2,
  EXPIRED: 2,
}

/** Whether a status read or pushed may replace the one known: never a step back (a late catch-up read answering
 * PENDING must not undo a pushed CONFIRMED, nor HELD undo the PENDING of a payment under way). */
export function mayReplace(known: BookingStatus | undefined, next: BookingStatus): boolean {
  return known === undefined || STAGE[next] >= STAGE[known]
}

export function statusSentence(reference: string, status: BookingStatus, reason: string | null): string {
  switch (status) {
    case 'HELD':
      return `Booking ${reference} is held: the seats are kept for you, nothing is charged until you pay.`
    case 'EXPIRED':
      return `Booking ${reference} expired before it was paid: its seats went back and nothing was charged.`
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

/** "Held until Tue, 1 Dec 2026 21:45 UTC": until when a HELD booking keeps its seats unpaid. */
export function heldUntil(holdExpiresAt: string, locale?: string): string {
  return `Held until ${formatDate(holdExpiresAt, locale)} ${formatTime(holdExpiresAt, locale)} UTC`
}
